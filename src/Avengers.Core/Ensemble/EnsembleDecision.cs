using System.Text.Json.Serialization;
using Avengers.Routing;
using Avengers.Voting;

namespace Avengers.Ensemble;

/// <summary>Why the ensemble answered as it did; attached to every response as <c>AdditionalProperties["avengers"]</c>.</summary>
public sealed record EnsembleDecision
{
    [JsonPropertyName("strategy")] public required string Strategy { get; init; }
    [JsonPropertyName("cluster")] public required int Cluster { get; init; }
    [JsonPropertyName("similarity")] public required float Similarity { get; init; }
    [JsonPropertyName("models")] public required IReadOnlyList<RankedModel> Models { get; init; }
    [JsonPropertyName("answer_type")] public required string AnswerType { get; init; }
    [JsonPropertyName("tally")] public IReadOnlyList<TallyEntry> Tally { get; init; } = [];
    [JsonPropertyName("winner")] public string? Winner { get; init; }
    [JsonPropertyName("chosen_model")] public required string ChosenModel { get; init; }
    [JsonPropertyName("samples_requested")] public int SamplesRequested { get; init; }
    [JsonPropertyName("samples_used")] public int SamplesUsed { get; init; }
    [JsonPropertyName("samples_failed")] public int SamplesFailed { get; init; }
    /// <summary>Calls not made or cancelled because the vote was already decided.</summary>
    [JsonPropertyName("samples_saved")] public int SamplesSaved { get; init; }
    [JsonPropertyName("routing_ms")] public double RoutingMilliseconds { get; init; }
    /// <summary>Tokens per model over every sample that came back (the answer's usage is their total).</summary>
    [JsonPropertyName("usage")] public IReadOnlyDictionary<string, ModelUsage> Usage { get; init; } = new Dictionary<string, ModelUsage>();
    /// <summary>What <see cref="Usage"/> cost in US dollars; set by a host that knows every model's prices.</summary>
    [JsonPropertyName("cost_usd")] public double? CostUsd { get; init; }
    [JsonPropertyName("artifact_sha256")] public string? ArtifactHash { get; init; }
    [JsonPropertyName("notes")] public IReadOnlyList<string> Notes { get; init; } = [];
}
