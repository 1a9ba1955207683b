using System.Text.Json.Serialization;
using Avengers.Routing;
using Avengers.Voting;

namespace Avengers.Ensemble;

/// <summary>Why the ensemble answered as it did; attached to every response as <c>AdditionalProperties["avengers"]</c>.</summary>
public sealed record EnsembleDecision
{
    /// <summary>The strategy that answered: direct, vote or switch.</summary>
    [JsonPropertyName("strategy")] public required string Strategy { get; init; }
    /// <summary>The nearest cluster (with several partitions: its index over all of them).</summary>
    [JsonPropertyName("cluster")] public required int Cluster { get; init; }
    /// <summary>Cosine similarity of the query to that cluster's centroid.</summary>
    [JsonPropertyName("similarity")] public required float Similarity { get; init; }
    /// <summary>The models in the order routing ranked them, with their accuracy in the cluster.</summary>
    [JsonPropertyName("models")] public required IReadOnlyList<RankedModel> Models { get; init; }
    /// <summary>The answer type the responses were read as (math, choice, code, exact, text).</summary>
    [JsonPropertyName("answer_type")] public required string AnswerType { get; init; }
    /// <summary>Votes per distinct answer, most first.</summary>
    [JsonPropertyName("tally")] public IReadOnlyList<TallyEntry> Tally { get; init; } = [];
    /// <summary>The answer that won the vote (null when nothing could be read and the top model's response was used).</summary>
    [JsonPropertyName("winner")] public string? Winner { get; init; }
    /// <summary>The model whose response was returned.</summary>
    [JsonPropertyName("chosen_model")] public required string ChosenModel { get; init; }
    /// <summary>Samples the strategy asked for.</summary>
    [JsonPropertyName("samples_requested")] public int SamplesRequested { get; init; }
    /// <summary>Samples that came back and were counted.</summary>
    [JsonPropertyName("samples_used")] public int SamplesUsed { get; init; }
    /// <summary>Samples whose call failed.</summary>
    [JsonPropertyName("samples_failed")] public int SamplesFailed { get; init; }
    /// <summary>Calls not made or cancelled because the vote was already decided.</summary>
    [JsonPropertyName("samples_saved")] public int SamplesSaved { get; init; }
    /// <summary>Time to embed and route the query, in milliseconds.</summary>
    [JsonPropertyName("routing_ms")] public double RoutingMilliseconds { get; init; }
    /// <summary>Tokens per model over every sample that came back (the answer's usage is their total).</summary>
    [JsonPropertyName("usage")] public IReadOnlyDictionary<string, ModelUsage> Usage { get; init; } = new Dictionary<string, ModelUsage>();
    /// <summary>What <see cref="Usage"/> cost in US dollars; set by a host that knows every model's prices.</summary>
    [JsonPropertyName("cost_usd")] public double? CostUsd { get; init; }
    /// <summary>SHA-256 of the router artifact that routed the query.</summary>
    [JsonPropertyName("artifact_sha256")] public string? ArtifactHash { get; init; }
    /// <summary>Where the query's embedding came from: local (this process), shared (another replica, via Redis) or miss (computed); null when not cached.</summary>
    [JsonPropertyName("cache")] public string? Cache { get; init; }
    /// <summary>The clusters the query was routed by, with their weights (for feedback, which spreads over them).</summary>
    [JsonIgnore] public IReadOnlyList<ClusterMatch> Clusters { get; init; } = [];
    /// <summary>Each sample that came back: its model and the answer read from it (null: none, or free text).</summary>
    [JsonIgnore] public IReadOnlyList<SampleAnswer> SampleAnswers { get; init; } = [];
    /// <summary>What happened on the way (fallbacks, failed models, adaptive stops), for people.</summary>
    [JsonPropertyName("notes")] public IReadOnlyList<string> Notes { get; init; } = [];
}
