using Avengers.Calibration;

namespace Avengers.Evaluation;

/// <summary>Settings of <see cref="Experiment"/>.</summary>
public sealed record ExperimentOptions
{
    /// <summary>The model pool routed over (null: every model of the file that is not a reference).</summary>
    public IReadOnlyList<string>? Models { get; init; }
    /// <summary>Models reported for comparison only (e.g. larger models); never routed to.</summary>
    public IReadOnlyList<string> References { get; init; } = [];
    /// <summary>K, seed, partitions, prior and the ensemble search.</summary>
    public CalibrationOptions Calibration { get; init; } = new();
    /// <summary>Share of the items that calibrate.</summary>
    public double TrainFraction { get; init; } = DatasetSplit.DefaultTrainFraction;
    /// <summary>Seeds the random-router baseline is averaged over.</summary>
    public int RandomRouterSeeds { get; init; } = 10;
    /// <summary>
    /// Embed multiple-choice questions with their options appended. Off by default, as in the method:
    /// on the LLMRouter validation split it changed nothing (0.587 either way) and it is not the paper's setting.
    /// </summary>
    public bool EmbedChoices { get; init; }
    /// <summary>Evaluate on a seeded split of the training side only (for choosing settings without touching the test set).</summary>
    public bool ValidationOnly { get; init; }
    /// <summary>Stop each vote once its leader cannot be overtaken (samples taken best-ranked model first).</summary>
    public bool Adaptive { get; init; }
    /// <summary>
    /// How test responses are graded. Calibration always uses the strict grade (a response whose answer cannot be
    /// read cannot vote); the protocol only changes how results are counted, for comparison with published numbers.
    /// </summary>
    public GradingProtocol Grading { get; init; } = GradingProtocol.Strict;
    /// <summary>
    /// Out of distribution, as the paper checks it: calibrate without any item of this dataset and evaluate on its
    /// test items only (null: the usual in-distribution experiment).
    /// </summary>
    public string? HoldOutDataset { get; init; }
    /// <summary>Keep every test item's decision in the result (model, sample, answer), e.g. to compare with the live gateway.</summary>
    public bool RecordDecisions { get; init; }
    /// <summary>Prices per model (per million tokens); enables costs in the results and cost-aware routing (calibration alpha).</summary>
    public IReadOnlyDictionary<string, ModelPrice>? Prices { get; init; }
}
