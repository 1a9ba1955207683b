using System.Text.Json.Serialization;

namespace Avengers.Evaluation;

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
