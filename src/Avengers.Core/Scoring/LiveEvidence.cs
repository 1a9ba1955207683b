namespace Avengers.Scoring;

/// <summary>
/// Right and wrong answers learned while serving (users' feedback), per cluster and model, added to the calibrated
/// counts through the same Beta smoothing: smoothed = (correct + live correct + s * global) / (answered + live
/// answered + s). The calibrated evidence stays the prior; live evidence decays exponentially (a configurable
/// half-life) so that drift is followed and old noise forgotten. A judged answer counts as one item in every
/// partition, as a calibration item does, spread over that partition's clusters the query was routed by in
/// proportion to their routing weights. Updates lock one cluster row at a time (sharded by
/// cluster), reads take no lock: a torn read of two doubles only blurs one score for one request.
/// </summary>
public sealed class LiveEvidence
{
    private readonly int _models;
    private readonly double[] _answered, _correct;
    private readonly long[] _updated;
    private readonly object[] _rows;
    private readonly double _ticksPerHalfLife;
    private readonly TimeProvider _time;
    private readonly double? _capPerCell;
    private volatile bool _any;
    private readonly int _k;
    private readonly double _changePointZ;

    /// <summary>Live answers a cell needs before they can overturn its calibrated evidence.</summary>
    public const double MinimumLiveForChangePoint = 3;
    /// <summary>
    /// Change points are off unless set: measured on the drift benchmark they turn the ranking after far fewer ratings but
    /// do not raise accuracy (docs/findings.md, section 13). 3 is the setting measured there.
    /// </summary>
    public const double DefaultChangePointZ = 0;

    /// <param name="clusters">Clusters of the router (every partition's).</param>
    /// <param name="models">Models of the router's scores, in their order.</param>
    /// <param name="halfLife">After this long, live evidence counts half.</param>
    /// <param name="capPerCell">Most live answers one cluster and model may hold (null: no cap), against floods of ratings.</param>
    /// <param name="clustersPerPartition">K: clusters [p * K, (p + 1) * K) are partition p's.</param>
    /// <param name="changePointZ">
    /// When a cell's live accuracy lies this many standard errors from its calibrated accuracy (a binomial test against
    /// the calibrated rate, with at least <see cref="MinimumLiveForChangePoint"/> live answers), the model changed there:
    /// the calibrated counts stop counting for that cell and its live evidence alone (under the prior) scores it. 0: never.
    /// </param>
    public LiveEvidence(int clusters, IReadOnlyList<string> models, TimeSpan halfLife, double? capPerCell = null, TimeProvider? time = null, int? clustersPerPartition = null,
        double changePointZ = DefaultChangePointZ)
    {
        _changePointZ = changePointZ;
        _k = Math.Max(1, clustersPerPartition ?? clusters);
        ArgumentNullException.ThrowIfNull(models);
        if (halfLife <= TimeSpan.Zero) throw new ArgumentException($"the half-life of live evidence must be positive (got {halfLife})");
        Models = models;
        _models = models.Count;
        _answered = new double[clusters * _models];
        _correct = new double[clusters * _models];
        _updated = new long[clusters * _models];
        _rows = [.. Enumerable.Range(0, clusters).Select(_ => new object())];
        _time = time ?? TimeProvider.System;
        _ticksPerHalfLife = halfLife.Ticks;
        _capPerCell = capPerCell;
    }

    /// <summary>The models, in the order of the router's scores.</summary>
    public IReadOnlyList<string> Models { get; }

    /// <summary>True once any evidence was added (routing reads nothing extra before that).</summary>
    public bool Any => _any;

    /// <summary>Adds one judged answer of <paramref name="model"/>: <paramref name="outcome"/> in [0, 1] (1: right), spread over the clusters by their weights.</summary>
    /// <param name="clusters">The clusters the query was routed by, with their routing weights.</param>
    /// <param name="ratedAt">When the answer was judged (null: now): a rating replayed from the log counts as decayed as it would be had it never left.</param>
    public void Add(IReadOnlyList<(int Cluster, double Weight)> clusters, int model, double outcome, DateTimeOffset? ratedAt = null)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        if ((uint)model >= (uint)_models) throw new ArgumentOutOfRangeException(nameof(model));
        if (!(outcome >= 0 && outcome <= 1)) throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "an outcome lies in [0, 1]");
        // Each partition's matched weights sum to one there: the answer is one item in every partition.
        var partitionTotals = new Dictionary<int, double>();
        foreach (var match in clusters) partitionTotals[match.Cluster / _k] = partitionTotals.GetValueOrDefault(match.Cluster / _k) + match.Weight;
        long now = Math.Min(_time.GetUtcNow().UtcTicks, ratedAt?.UtcTicks ?? long.MaxValue);
        foreach (var match in clusters)
        {
            if ((uint)match.Cluster >= (uint)_rows.Length || !(partitionTotals[match.Cluster / _k] > 0)) continue;
            double weight = match.Weight / partitionTotals[match.Cluster / _k];
            int cell = match.Cluster * _models + model;
            lock (_rows[match.Cluster])
            {
                long updated = _updated[cell];
                // Evidence older than the cell's last update joins it decayed by its age there; newer evidence decays the cell to its own time.
                double decay = Decay(cell, now), late = updated > now ? Math.Pow(0.5, (updated - now) / _ticksPerHalfLife) : 1;
                double answered = _answered[cell] * decay + weight * late, correct = _correct[cell] * decay + weight * outcome * late;
                if (_capPerCell is double cap && answered > cap) { correct *= cap / answered; answered = cap; }
                (_answered[cell], _correct[cell], _updated[cell]) = (answered, correct, Math.Max(now, updated));
            }
        }
        _any = true;
    }

    /// <summary>The live counts of a cluster and model now (decayed): answered and correct.</summary>
    public (double Answered, double Correct) Counts(int cluster, int model) => Counts(cluster, model, NowTicks);

    /// <summary>The clock's time now, read once by a caller that asks about many cells (a routing decision).</summary>
    internal long NowTicks => _time.GetUtcNow().UtcTicks;

    internal (double Answered, double Correct) Counts(int cluster, int model, long now)
    {
        int cell = cluster * _models + model;
        double decay = Decay(cell, now);
        return (_answered[cell] * decay, _correct[cell] * decay);
    }

    /// <summary>The calibrated score with the live counts added, under the same prior.</summary>
    public double Smoothed(ClusterScores scores, int cluster, int model) => Smoothed(scores, cluster, model, NowTicks);

    internal double Smoothed(ClusterScores scores, int cluster, int model, long now)
    {
        ModelScore calibrated = scores[cluster, model];
        (double answered, double correct) = Counts(cluster, model, now);
        if (answered <= 0) return calibrated.Smoothed;
        double s = scores.PriorStrength, global = scores.GlobalAccuracy(model);
        double calibratedAnswered = calibrated.Answered, calibratedCorrect = calibrated.Correct;
        // A change point: the calibration no longer describes this model here (a swapped quantisation, a changed provider).
        if (Contradicts(calibrated, answered, correct)) (calibratedAnswered, calibratedCorrect) = (0, 0);
        double denominator = calibratedAnswered + answered + s;
        return denominator <= 0 ? global : (calibratedCorrect + correct + s * global) / denominator;
    }

    /// <summary>True when the live answers disagree with the calibrated accuracy beyond chance (see the constructor's changePointZ).</summary>
    public bool Contradicts(ModelScore calibrated, double liveAnswered, double liveCorrect)
    {
        if (_changePointZ <= 0 || calibrated.Answered <= 0 || liveAnswered < MinimumLiveForChangePoint) return false;
        double p = Math.Clamp(calibrated.Correct / calibrated.Answered, 0.02, 0.98);
        double z = (liveCorrect / liveAnswered - p) / Math.Sqrt(p * (1 - p) / liveAnswered);
        return Math.Abs(z) > _changePointZ;
    }

    private double Decay(int cell, long now)
    {
        long updated = Volatile.Read(ref _updated[cell]);
        return updated == 0 || updated >= now ? 1 : double.Exp2(-(now - updated) / _ticksPerHalfLife);
    }
}
