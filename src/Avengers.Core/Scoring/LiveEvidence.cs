namespace Avengers.Scoring;

/// <summary>
/// Right and wrong answers learned while serving (users' feedback), per cluster and model, added to the calibrated
/// counts through the same Beta smoothing: smoothed = (correct + live correct + s * global) / (answered + live
/// answered + s). The calibrated evidence stays the prior; live evidence decays exponentially (a configurable
/// half-life) so that drift is followed and old noise forgotten. A judged answer counts as one item in every
/// partition, as a calibration item does, spread over that partition's clusters the query was routed by in
/// proportion to their routing weights. Updates lock one cluster row at a time (sharded by
/// cluster), reads take no lock: a torn read of two doubles only blurs one score for one request.
/// <para>
/// A change detector watches every cell: a CUSUM of the judged outcomes against the calibrated accuracy (the lower end
/// of its 95 % interval, since the router prefers the cells whose calibration came out high) and half of it. It is
/// floored at zero, so a long good history does not hide a sudden fall. Past the threshold (see
/// <see cref="DefaultChangeThreshold"/>) the model changed there (a swapped quantisation, a provider's
/// silent update): the calibrated counts stop counting for that cell and the ratings since the fall score it, under the
/// same prior; the calibration comes back with the live evidence's half-life, so a false alarm fades as noise does. The
/// pooled rule alone is too slow for a change: a rating weighs one item against a hundred-odd calibrated ones.
/// </para>
/// <para>
/// A second detector watches each model as a whole (<see cref="ModelWatch"/>): a change that reaches every cluster, as
/// a swapped quantisation does, shows in all of the model's ratings long before it shows in any one cell's. Found
/// there, the model's calibrated accuracy is scaled everywhere by its accuracy since the fall against what calibration
/// expected (see <see cref="ModelScale(int)"/>).
/// </para>
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
    private readonly ClusterScores? _calibrated;
    private readonly double _changeThreshold;
    private readonly double[] _cusum, _runAnswered, _runCorrect;
    private readonly long[] _changedAt; // when the cell was last found changed (0: never)
    private readonly ModelWatch[] _watches;

    /// <summary>
    /// The change detector's threshold at a cell without live evidence (docs/findings.md, sections 13d and 13e). It
    /// rises by <see cref="ThresholdSlope"/> times ln(1 + held / <see cref="ThresholdScale"/>) with the live answers a
    /// cell holds: a quiet cell, where a fall shows in a handful of ratings, reacts after fewer wrong answers than a busy
    /// one, which would otherwise cross it by chance every few hundred. Simulated at the calibrated accuracy (100 cells,
    /// a model right 90 % / 60 % of the time), 8 / 2 cells raise a false alarm within 300 ratings, 9 / 2 within 2,000
    /// and 7 / 3 within 10,000; 0 turns detection off.
    /// </summary>
    public const double DefaultChangeThreshold = 3;

    /// <summary>How steeply the threshold rises with the live evidence a cell holds.</summary>
    public const double ThresholdSlope = 2;

    /// <summary>Live answers a cell holds at which its threshold has risen by <see cref="ThresholdSlope"/> times ln 2.</summary>
    public const double ThresholdScale = 100;

    /// <summary>
    /// Judged answers (weighted) the run past the threshold must hold: where the calibrated accuracy is high, two wrong
    /// answers in a row would cross it alone, and two in a row happen by chance.
    /// </summary>
    public const double MinimumRun = 3;

    /// <summary>
    /// How much higher a model's own threshold lies than a cell's: a model-wide finding moves the model everywhere, and
    /// a model holds the ratings of all its cells, so its chart meets more chance runs (docs/findings.md, 13g).
    /// </summary>
    public const double ModelThresholdMargin = 2;

    /// <param name="clusters">Clusters of the router (every partition's).</param>
    /// <param name="models">Models of the router's scores, in their order.</param>
    /// <param name="halfLife">After this long, live evidence counts half.</param>
    /// <param name="capPerCell">Most live answers one cluster and model may hold (null: no cap), against floods of ratings.</param>
    /// <param name="clustersPerPartition">K: clusters [p * K, (p + 1) * K) are partition p's.</param>
    /// <param name="calibrated">The router's calibrated scores, the change detector's baseline (null: no detection).</param>
    /// <param name="changeThreshold">The change detector's threshold (see <see cref="DefaultChangeThreshold"/>); 0: never.</param>
    public LiveEvidence(int clusters, IReadOnlyList<string> models, TimeSpan halfLife, double? capPerCell = null, TimeProvider? time = null, int? clustersPerPartition = null,
        ClusterScores? calibrated = null, double changeThreshold = DefaultChangeThreshold)
    {
        if (!(changeThreshold >= 0) || double.IsInfinity(changeThreshold)) throw new ArgumentOutOfRangeException(nameof(changeThreshold), changeThreshold, "a finite number >= 0");
        _calibrated = calibrated;
        _changeThreshold = calibrated is null ? 0 : changeThreshold;
        _k = Math.Max(1, clustersPerPartition ?? clusters);
        ArgumentNullException.ThrowIfNull(models);
        if (halfLife <= TimeSpan.Zero) throw new ArgumentException($"the half-life of live evidence must be positive (got {halfLife})");
        Models = models;
        _models = models.Count;
        _answered = new double[clusters * _models];
        _correct = new double[clusters * _models];
        _updated = new long[clusters * _models];
        _cusum = new double[clusters * _models];
        _runAnswered = new double[clusters * _models];
        _runCorrect = new double[clusters * _models];
        _changedAt = new long[clusters * _models];
        _watches = [.. Enumerable.Range(0, _models).Select(_ => new ModelWatch(_changeThreshold + ModelThresholdMargin, halfLife.Ticks))];
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
        bool modelChanged = _changeThreshold > 0 && WatchModel(clusters, partitionTotals, model, outcome, now);
        List<int>? detected = null;
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
                if (_changeThreshold > 0 && SetAside(cell, now) < RearmBelow && Detect(cell, match.Cluster, model, weight, outcome, now, _answered[cell] * decay))
                {
                    // Only the ratings since the fall describe the changed model.
                    (answered, correct, _runAnswered[cell], _runCorrect[cell]) = (_runAnswered[cell], _runCorrect[cell], 0, 0);
                    (detected ??= []).Add(match.Cluster);
                }
                if (_capPerCell is double cap && answered > cap) { correct *= cap / answered; answered = cap; }
                (_answered[cell], _correct[cell], _updated[cell]) = (answered, correct, Math.Max(now, updated));
            }
        }
        _any = true;
        if (modelChanged) ModelChangeDetected?.Invoke(Models[model], ModelScale(model));
        if (detected is not null && ChangeDetected is { } handler)
            foreach (int cluster in detected) handler(cluster, Models[model]);
    }

    /// <summary>Raised (outside any lock) when a cluster's model is found changed: its cluster and name.</summary>
    public event Action<int, string>? ChangeDetected;

    /// <summary>Raised (outside any lock) when a model is found changed as a whole: its name and the scale now applied to its calibration.</summary>
    public event Action<string, double>? ModelChangeDetected;

    /// <summary>
    /// Feeds the model's own detector with the rating, against the calibrated accuracy blended as the router blends it
    /// (each partition's matched clusters by their weights, the partitions alike). When the model is found changed, the
    /// live counts it held from before the fall are dropped in every cell: they describe the former model.
    /// </summary>
    private bool WatchModel(IReadOnlyList<(int Cluster, double Weight)> clusters, Dictionary<int, double> partitionTotals, int model, double outcome, long now)
    {
        double expected = 0;
        foreach (var match in clusters)
        {
            if ((uint)match.Cluster >= (uint)_rows.Length || !(partitionTotals[match.Cluster / _k] > 0)) continue;
            expected += match.Weight / partitionTotals[match.Cluster / _k] * _calibrated![match.Cluster, model].Smoothed;
        }
        int partitions = partitionTotals.Count(p => p.Value > 0);
        if (partitions == 0) return false;
        if (!_watches[model].Add(outcome, expected / partitions, now)) return false;
        for (int cluster = 0; cluster < _rows.Length; cluster++)
            lock (_rows[cluster]) (_answered[cluster * _models + model], _correct[cluster * _models + model]) = (0, 0);
        return true;
    }

    /// <summary>
    /// What the model's calibrated accuracy is multiplied by everywhere: 1 unless feedback found the model changed as a
    /// whole; then its right answers since the fall over those calibration expected, fading back to 1 with the half-life.
    /// </summary>
    public double ModelScale(int model) => ModelScale(model, NowTicks);

    internal double ModelScale(int model, long now) => _watches[model].Scale(now);

    /// <summary>True while the model is held changed as a whole.</summary>
    public bool ModelChanged(int model) => _watches[model].Changed(NowTicks);

    /// <summary>
    /// CUSUM for a fall of the cell's accuracy from p0 (the calibrated interval's lower end) to half of it: each weighted
    /// outcome's log-likelihood ratio is added, floored at zero, so that answers from before a change do not mask it.
    /// Past the threshold the cell changed: its live counts restart from the run that crossed it. Called under the row's lock.
    /// </summary>
    private bool Detect(int cell, int cluster, int model, double weight, double outcome, long now, double heldBefore)
    {
        double p0 = Math.Clamp(_calibrated![cluster, model].Lower, 0.05, 0.95), p1 = p0 / 2;
        double step = weight * (outcome * Math.Log(p1 / p0) + (1 - outcome) * Math.Log((1 - p1) / (1 - p0)));
        double s = _cusum[cell] + step;
        if (s <= 0)
        {
            (_cusum[cell], _runAnswered[cell], _runCorrect[cell]) = (0, 0, 0);
            return false;
        }
        (_cusum[cell], _runAnswered[cell], _runCorrect[cell]) = (s, _runAnswered[cell] + weight, _runCorrect[cell] + weight * outcome);
        // The threshold rises with the log of the live evidence the cell holds (see DefaultChangeThreshold).
        if (s < _changeThreshold + ThresholdSlope * Math.Log(1 + heldBefore / ThresholdScale) || _runAnswered[cell] < MinimumRun) return false;
        (_changedAt[cell], _cusum[cell]) = (Math.Max(1, now), 0);
        return true;
    }

    /// <summary>True while the cell's model is held changed (most of its calibration there set aside).</summary>
    public bool Changed(int cluster, int model) => Changed(cluster, model, NowTicks);

    internal bool Changed(int cluster, int model, long now) => SetAside(cluster * _models + model, now) >= RearmBelow;

    /// <summary>
    /// The share of the cell's calibration set aside: all of it when the change is found, fading back with the live
    /// evidence's half-life (the finding is live evidence too, and a false alarm must not last).
    /// </summary>
    private double SetAside(int cell, long now)
    {
        long at = Volatile.Read(ref _changedAt[cell]);
        return at == 0 ? 0 : at >= now ? 1 : double.Exp2(-(now - at) / _ticksPerHalfLife);
    }

    /// <summary>Below this share set aside the calibration counts again and the detector watches the cell anew.</summary>
    internal const double RearmBelow = 0.1;

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

    internal double Smoothed(ClusterScores scores, int cluster, int model, long now) => Smoothed(scores, cluster, model, now, out _);

    /// <summary>The smoothed score, and whether the cell's model is held changed (one read of the finding for both).</summary>
    internal double Smoothed(ClusterScores scores, int cluster, int model, long now, out bool changed)
    {
        double setAside = SetAside(cluster * _models + model, now);
        changed = setAside >= RearmBelow;
        ModelScore calibrated = scores[cluster, model];
        (double answered, double correct) = Counts(cluster, model, now);
        // The model changed as a whole: its calibration holds at the scale its ratings since the fall show.
        double scale = _watches[model].Scale(now);
        if (answered <= 0) return scale * calibrated.Smoothed;
        double s = scores.PriorStrength, global = scale * scores.GlobalAccuracy(model);
        double calibratedAnswered = calibrated.Answered, calibratedCorrect = scale * calibrated.Correct;
        // The model changed here: the calibration no longer describes it.
        double kept = 1 - setAside;
        (calibratedAnswered, calibratedCorrect) = (calibratedAnswered * kept, calibratedCorrect * kept);
        double denominator = calibratedAnswered + answered + s;
        return denominator <= 0 ? global : (calibratedCorrect + correct + s * global) / denominator;
    }

    private double Decay(int cell, long now)
    {
        long updated = Volatile.Read(ref _updated[cell]);
        return updated == 0 || updated >= now ? 1 : double.Exp2(-(now - updated) / _ticksPerHalfLife);
    }
}
