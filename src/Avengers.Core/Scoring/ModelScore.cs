namespace Avengers.Scoring;

/// <summary>How one model did on one cluster's training items.</summary>
/// <param name="Answered">Items of the cluster the model has an output for.</param>
/// <param name="Correct">Sum of correctness over those items.</param>
/// <param name="Accuracy">Correct / Answered (NaN when nothing was answered).</param>
/// <param name="Smoothed">Accuracy pulled toward the model's global accuracy by a Beta prior.</param>
/// <param name="Lower">Lower end of the 95% Wilson interval of the raw accuracy.</param>
/// <param name="Upper">Upper end of that interval.</param>
public readonly record struct ModelScore(int Answered, double Correct, double Accuracy, double Smoothed, double Lower, double Upper);
