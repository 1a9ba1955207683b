using System.Text.Json.Serialization;

namespace Avengers.Evaluation;

/// <summary>Mean cost per test query (currency units, from the prices given), of Avengers (every sample it consulted), the best single model and each model.</summary>
public sealed record CostReport(
    [property: JsonPropertyName("avengers")] double Avengers,
    [property: JsonPropertyName("best_single")] double BestSingle,
    [property: JsonPropertyName("models")] IReadOnlyDictionary<string, double> Models,
    [property: JsonPropertyName("alpha")] double? Alpha);
