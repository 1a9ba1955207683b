using System.Text.Json.Serialization;

namespace Avengers.Routing;

/// <summary>A candidate configuration and its cross-validated accuracy and calls per query.</summary>
public sealed record PolicyScore(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("calls_per_query")] double CallsPerQuery);
