using System.Text.Json.Serialization;

namespace Avengers.Routing;

/// <summary>What the cross-validated search saw: the winner's accuracy, the best single model's, the runners-up.</summary>
public sealed record PolicyEvidence(
    [property: JsonPropertyName("folds")] int Folds,
    [property: JsonPropertyName("items")] int Items,
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("calls_per_query")] double CallsPerQuery,
    [property: JsonPropertyName("best_single_model")] string BestSingleModel,
    [property: JsonPropertyName("best_single_accuracy")] double BestSingleAccuracy,
    [property: JsonPropertyName("candidates")] int Candidates,
    [property: JsonPropertyName("runners_up")] IReadOnlyList<PolicyScore> RunnersUp,
    [property: JsonPropertyName("reason")] string Reason)
{
    /// <summary>
    /// The search judged as a procedure (on each fold, the candidate that ranked first on the other folds): the
    /// winner's own accuracy is the best of many on the same items and so reads high. Null in older artifacts.
    /// </summary>
    [JsonPropertyName("search_accuracy")] public double? SearchAccuracy { get; init; }
}
