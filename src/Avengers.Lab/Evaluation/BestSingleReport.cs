using System.Text.Json.Serialization;

namespace Avengers.Evaluation;

/// <summary>The model with the best training accuracy, scored on the test side.</summary>
/// <param name="Model">Its name.</param>
/// <param name="TrainAccuracy">Its accuracy on the training side, where it was chosen.</param>
/// <param name="Accuracy">Its accuracy on the test side.</param>
/// <param name="PerDataset">Its test accuracy per dataset.</param>
public sealed record BestSingleReport(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("train_accuracy")] double TrainAccuracy,
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("per_dataset")] IReadOnlyDictionary<string, double> PerDataset);
