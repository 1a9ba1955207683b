namespace Avengers.Collection;

/// <summary>How a collection ended.</summary>
/// <param name="CostUsd">Spent by this run.</param>
/// <param name="PriorCostUsd">What the output file had already cost before this run (from its recorded tokens and the prices).</param>
/// <param name="FirstErrorPerModel">The first failure of each model that failed, as recorded (a status class, never the backend's text).</param>
public sealed record CollectResult(int Pairs, int AlreadyDone, int Written, int FailedSamples, long Tokens, double CostUsd, bool StoppedAtBudget, IReadOnlyDictionary<string, int> ErrorsPerModel,
    double PriorCostUsd = 0, int Samples = 0, IReadOnlyDictionary<string, string>? FirstErrorPerModel = null)
{
    /// <summary>True when this run asked something and not one sample came back.</summary>
    public bool EverySampleFailed => Written > 0 && FailedSamples >= Written * Samples;
}
