using System.Text.Json.Serialization;

namespace Avengers.Evaluation;

/// <summary>One dataset seen in and out of distribution.</summary>
/// <param name="InDistribution">Avengers on the dataset's test items, calibrated with every training item.</param>
/// <param name="BestSingle">The best single model (chosen on all training items) on the same items.</param>
/// <param name="OutOfDistribution">Avengers on the same items, calibrated without any item of the dataset.</param>
/// <param name="OodBestSingle">The best single model chosen on that reduced training side, on the same items.</param>
public sealed record OodRow(
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("test_items")] int TestItems,
    [property: JsonPropertyName("in_distribution")] double InDistribution,
    [property: JsonPropertyName("best_single")] double BestSingle,
    [property: JsonPropertyName("out_of_distribution")] double OutOfDistribution,
    [property: JsonPropertyName("ood_best_single")] double OodBestSingle,
    [property: JsonPropertyName("ood_best_single_model")] string OodBestSingleModel,
    [property: JsonPropertyName("ood_policy")] string OodPolicy);
