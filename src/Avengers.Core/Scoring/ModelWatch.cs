namespace Avengers.Scoring;

/// <summary>
/// The change detector for one model as a whole: one CUSUM over all of its judged answers, wherever they were asked,
/// against what its calibration expected for each, times how far its live answers have run from that so far. A swapped quantisation or a provider's silent update changes a
/// model everywhere at once; each cluster alone sees a handful of its ratings, the model as a whole sees them all
/// (docs/findings.md, 13g). Once found changed, the model's calibrated accuracy is scaled everywhere by what it has
/// answered right since the fall against what calibration expected there, a ratio that keeps learning from every
/// later rating and fades back to one with the live evidence's half-life.
/// </summary>
/// <param name="threshold">The CUSUM's threshold before it rises with the evidence held.</param>
/// <param name="ticksPerHalfLife">The live evidence's half-life: the record decays, and a finding fades, by it.</param>
internal sealed class ModelWatch(double threshold, double ticksPerHalfLife)
{
    private readonly object _gate = new();
    private double _cusum, _runAnswered, _runCorrect, _runExpected, _held;
    private long _updated, _changedAt;
    private double _sinceCorrect, _sinceExpected, _factor = 1;
    private double _liveRight, _liveExpected; // the model's live record (decayed), while not held changed

    /// <summary>
    /// The model's live record starts from this ratio of right answers to those calibration expected, weighing
    /// <see cref="BaselineWeight"/> expected answers: live answers run a little below a calibration that chose the model
    /// where it came out high, about as far as a cell's interval's lower end lies below its estimate.
    /// </summary>
    internal const double BaselinePrior = 0.85;

    /// <summary>How many expected right answers the starting ratio weighs in the live record.</summary>
    internal const double BaselineWeight = 50;

    /// <summary>
    /// Expected right answers (at a ratio of one) that the ratio since the fall starts from, so that a short run of
    /// wrong answers cannot scale a model to nothing.
    /// </summary>
    internal const double FactorPrior = 2;

    /// <summary>
    /// Adds one judged answer. <paramref name="expected"/> is the calibrated accuracy where it was asked, blended as the
    /// router blends it.
    /// </summary>
    /// <returns>True when this answer made the model found changed.</returns>
    public bool Add(double outcome, double expected, long now)
    {
        lock (_gate)
        {
            double decay = _updated == 0 || _updated >= now ? 1 : double.Exp2(-(now - _updated) / ticksPerHalfLife);
            double heldBefore = _held * decay;
            (_held, _updated) = (heldBefore + 1, Math.Max(_updated, now));
            (_liveRight, _liveExpected) = (_liveRight * decay, _liveExpected * decay);
            if (_changedAt != 0)
            {
                if (SetAside(now) >= LiveEvidence.RearmBelow)
                {
                    // Held changed: every rating sharpens how far it fell.
                    (_sinceCorrect, _sinceExpected) = (_sinceCorrect + outcome, _sinceExpected + expected);
                    Volatile.Write(ref _factor, Factor());
                    return false;
                }
                // Mostly restored: watched anew (the finding cleared before its factor, as readers read them).
                Volatile.Write(ref _changedAt, 0);
                Volatile.Write(ref _factor, 1);
                (_sinceCorrect, _sinceExpected) = (0, 0);
            }
            // A fall to half of what the model has been answering live, relative to its calibration. Live answers run
            // below a calibration that chose the model where it came out high: by a few percent for the models asked
            // most, by a fifth or more for some asked rarely (docs/findings.md 13g). The calibration's point estimate
            // would take that for a fall; the lower end of its interval, as each cell's detector uses, misses a fall
            // to half. The model's own record knows how far its answers run below.
            double baseline = Math.Clamp((_liveRight + BaselineWeight * BaselinePrior) / (_liveExpected + BaselineWeight), 0.05, 1);
            (_liveRight, _liveExpected) = (_liveRight + outcome, _liveExpected + expected);
            double p0 = Math.Clamp(baseline * expected, 0.05, 0.95), p1 = p0 / 2;
            double s = _cusum + outcome * Math.Log(p1 / p0) + (1 - outcome) * Math.Log((1 - p1) / (1 - p0));
            if (s <= 0)
            {
                (_cusum, _runAnswered, _runCorrect, _runExpected) = (0, 0, 0, 0);
                return false;
            }
            (_cusum, _runAnswered, _runCorrect, _runExpected) = (s, _runAnswered + 1, _runCorrect + outcome, _runExpected + expected);
            if (s < threshold + LiveEvidence.ThresholdSlope * Math.Log(1 + heldBefore / LiveEvidence.ThresholdScale) || _runAnswered < LiveEvidence.MinimumRun) return false;
            // Only the ratings since the fall describe the changed model.
            (_sinceCorrect, _sinceExpected, _cusum, _runAnswered, _runCorrect, _runExpected) = (_runCorrect, _runExpected, 0, 0, 0, 0);
            Volatile.Write(ref _factor, Factor());
            Volatile.Write(ref _changedAt, Math.Max(1, now));
            return true;
        }
    }

    private double Factor() => Math.Clamp((_sinceCorrect + FactorPrior) / (_sinceExpected + FactorPrior), 0, 1);

    /// <summary>
    /// What the model's calibrated accuracy is multiplied by now: one unless it was found changed, then the ratio since
    /// the fall, fading back to one with the half-life (a false alarm must not last).
    /// </summary>
    public double Scale(long now)
    {
        double setAside = SetAside(now);
        return setAside <= 0 ? 1 : 1 - setAside * (1 - Volatile.Read(ref _factor));
    }

    /// <summary>True while the model is held changed (past <see cref="LiveEvidence.RearmBelow"/> of its finding left).</summary>
    public bool Changed(long now) => SetAside(now) >= LiveEvidence.RearmBelow;

    private double SetAside(long now)
    {
        long at = Volatile.Read(ref _changedAt);
        return at == 0 ? 0 : at >= now ? 1 : double.Exp2(-(now - at) / ticksPerHalfLife);
    }
}
