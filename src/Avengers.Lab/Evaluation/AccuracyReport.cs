using System.Text.Json.Serialization;

namespace Avengers.Evaluation;

/// <summary>An accuracy overall and per dataset.</summary>
public sealed record AccuracyReport(
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("per_dataset")] IReadOnlyDictionary<string, double> PerDataset,
    [property: JsonPropertyName("items")] int Items);
