using System.Text.Json.Serialization;

namespace Avengers.Server.Feedback;

/// <summary>What the gateway remembers of one answer so that it can be rated: who received it and how it was decided.</summary>
internal sealed record RememberedDecision
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    /// <summary>The name of the key that received the answer ("" without authentication): only it may rate it.</summary>
    [JsonPropertyName("key")] public required string Key { get; init; }
    [JsonPropertyName("artifact_sha256")] public string? ArtifactSha { get; init; }
    /// <summary>The question (kept as long as the decision, for the feedback log that calibration can learn from).</summary>
    [JsonPropertyName("query")] public string Query { get; init; } = "";
    [JsonPropertyName("answer_type")] public required string AnswerType { get; init; }
    [JsonPropertyName("returned_model")] public required string ReturnedModel { get; init; }
    [JsonPropertyName("winner")] public string? Winner { get; init; }
    /// <summary>The clusters the query was routed by: [cluster, weight] pairs.</summary>
    [JsonPropertyName("clusters")] public required IReadOnlyList<double[]> Clusters { get; init; }
    [JsonPropertyName("samples")] public required IReadOnlyList<Avengers.Ensemble.SampleAnswer> Samples { get; init; }
}
