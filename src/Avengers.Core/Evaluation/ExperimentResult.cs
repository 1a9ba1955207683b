using System.Text.Json.Serialization;

namespace Avengers.Evaluation;

/// <summary>An accuracy overall and per dataset.</summary>
public sealed record AccuracyReport(
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("per_dataset")] IReadOnlyDictionary<string, double> PerDataset,
    [property: JsonPropertyName("items")] int Items);

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

/// <summary>Mean cost per test query (currency units, from the prices given), of Avengers (every sample it consulted), the best single model and each model.</summary>
public sealed record CostReport(
    [property: JsonPropertyName("avengers")] double Avengers,
    [property: JsonPropertyName("best_single")] double BestSingle,
    [property: JsonPropertyName("models")] IReadOnlyDictionary<string, double> Models,
    [property: JsonPropertyName("alpha")] double? Alpha);

/// <summary>What the experiment was run on and with.</summary>
public sealed record ExperimentSetup(
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("data_sha256")] string DataSha256,
    [property: JsonPropertyName("embedding")] string Embedding,
    [property: JsonPropertyName("split")] string Split,
    [property: JsonPropertyName("train_items")] int TrainItems,
    [property: JsonPropertyName("test_items")] int TestItems,
    [property: JsonPropertyName("removed_train_duplicates")] int RemovedTrainDuplicates,
    [property: JsonPropertyName("ungradable_test_items")] int UngradableTestItems,
    [property: JsonPropertyName("k")] int K,
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("restarts")] int Restarts,
    [property: JsonPropertyName("prior_strength")] double PriorStrength,
    [property: JsonPropertyName("strategy")] string Strategy,
    [property: JsonPropertyName("top_n")] int TopN,
    [property: JsonPropertyName("top_k")] int TopK,
    [property: JsonPropertyName("beta")] double Beta,
    [property: JsonPropertyName("pool")] IReadOnlyList<string> Pool,
    [property: JsonPropertyName("selected")] IReadOnlyList<string> Selected,
    [property: JsonPropertyName("grading")] string Grading = "strict",
    [property: JsonPropertyName("partitions")] int Partitions = 1,
    [property: JsonPropertyName("method")] string Method = "kmeans");

/// <summary>The experiment's outcome. Accuracies are fractions in [0, 1] over gradable test items.</summary>
public sealed record ExperimentResult(
    [property: JsonPropertyName("avengers")] AccuracyReport Avengers,
    [property: JsonPropertyName("best_single")] BestSingleReport BestSingle,
    [property: JsonPropertyName("random")] AccuracyReport Random,
    [property: JsonPropertyName("oracle")] AccuracyReport Oracle,
    [property: JsonPropertyName("label_router")] AccuracyReport LabelRouter,
    [property: JsonPropertyName("models")] IReadOnlyDictionary<string, double> Models,
    [property: JsonPropertyName("model_reports")] IReadOnlyDictionary<string, AccuracyReport> ModelReports,
    [property: JsonPropertyName("references")] IReadOnlyDictionary<string, AccuracyReport> References,
    [property: JsonPropertyName("datasets")] IReadOnlyList<string> Datasets,
    [property: JsonPropertyName("dataset_sizes")] IReadOnlyDictionary<string, int> DatasetSizes,
    [property: JsonPropertyName("vote_fallbacks")] int VoteFallbacks,
    [property: JsonPropertyName("mean_samples_used")] double MeanSamplesUsed,
    [property: JsonPropertyName("costs")] CostReport? Costs,
    [property: JsonPropertyName("setup")] ExperimentSetup Setup,
    [property: JsonPropertyName("notes")] IReadOnlyList<string> Notes,
    [property: JsonPropertyName("policy")] Avengers.Routing.EnsemblePolicy? Policy = null,
    [property: JsonPropertyName("unreadable")] IReadOnlyDictionary<string, UnreadableReport>? Unreadable = null,
    [property: JsonPropertyName("warnings")] IReadOnlyList<string>? Warnings = null,
    [property: JsonPropertyName("decisions")] IReadOnlyList<ItemDecision>? Decisions = null);

/// <summary>What the ensemble answered for one test item (kept with <see cref="ExperimentOptions.RecordDecisions"/>).</summary>
public sealed record ItemDecision(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("sample")] int Sample,
    [property: JsonPropertyName("answer")] string? Answer,
    [property: JsonPropertyName("grade")] double Grade);

/// <summary>
/// Responses of one model whose answer could not be read (they never vote and grade as wrong), over the
/// training and test items, with two examples. Above <see cref="WarnAbove"/> the experiment warns.
/// </summary>
public sealed record UnreadableReport(
    [property: JsonPropertyName("unreadable")] int Unreadable,
    [property: JsonPropertyName("responses")] int Responses,
    [property: JsonPropertyName("rate")] double Rate,
    [property: JsonPropertyName("examples")] IReadOnlyList<string> Examples)
{
    /// <summary>The unreadable share above which the experiment warns.</summary>
    public const double WarnAbove = 0.20;
    /// <summary>True when the unreadable share is above <see cref="WarnAbove"/>.</summary>
    [JsonIgnore] public bool Warn => Rate > WarnAbove;
}
