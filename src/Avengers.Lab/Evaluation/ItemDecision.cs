using System.Text.Json.Serialization;

namespace Avengers.Evaluation;

/// <summary>What the ensemble answered for one test item (kept with <see cref="ExperimentOptions.RecordDecisions"/>).</summary>
public sealed record ItemDecision(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("sample")] int Sample,
    [property: JsonPropertyName("answer")] string? Answer,
    [property: JsonPropertyName("grade")] double Grade);
