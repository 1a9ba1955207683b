using Avengers.Answers;

namespace Avengers.Calibration;

/// <summary>
/// Every training item's recorded samples, as calibration needs them to choose the ensemble: per item and
/// model (columns of the correctness matrix) the normalised answers and the grades of each sample (null
/// entries where the model has no output for the item).
/// </summary>
/// <param name="AnswerOptions">Options of each item (choices count; 4 when unknown), for accuracy-weighted votes.</param>
/// <param name="AnswerTypes">Each item's answer type (null: unknown), so that the live gateway reads answers as calibration did.</param>
/// <param name="Rules">Each item's grading rule (null entries: the answer type's defaults), for the same reason.</param>
public sealed record CalibrationSamples(IReadOnlyList<string?[]?[]> Answers, IReadOnlyList<double?[]?[]> Grades, int[] AnswerOptions, Avengers.Answers.AnswerType[]? AnswerTypes = null,
    GradingRule?[]? Rules = null);
