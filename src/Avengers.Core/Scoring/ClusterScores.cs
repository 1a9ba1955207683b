namespace Avengers.Scoring;

/// <summary>
/// Accuracy of every model in every cluster, from training items only. Small clusters are smoothed
/// toward the model's global accuracy: smoothed = (correct + s * global) / (answered + s), the mean of a
/// Beta(s * global, s * (1 - global)) prior updated with the cluster's counts; s is <see cref="PriorStrength"/>.
/// Models absent from some items are scored on the items they answered.
/// </summary>
public sealed class ClusterScores
{
    /// <summary>Pseudo-counts toward the global accuracy unless set.</summary>
    public const double DefaultPriorStrength = 2.0;
    private const double Z95 = 1.959963984540054;

    private readonly int[] _answered;
    private readonly double[] _correct;
    private readonly ModelScore[] _scores;
    private readonly double[] _global;
    private readonly int[][] _ranking;

    /// <summary>Wraps counts per cluster and model and derives smoothed scores with Wilson intervals.</summary>
    /// <param name="models">Column names.</param>
    /// <param name="clusterCount">Rows.</param>
    /// <param name="sizes">Training items per cluster.</param>
    /// <param name="answered">Items each model answered per cluster (row-major).</param>
    /// <param name="correct">Of those, how many were correct (row-major; partial credit adds fractions).</param>
    /// <param name="priorStrength">Pseudo-counts toward the global accuracy.</param>
    public ClusterScores(IReadOnlyList<string> models, int clusterCount, int[] sizes, int[] answered, double[] correct, double priorStrength = DefaultPriorStrength)
    {
        ArgumentNullException.ThrowIfNull(models);
        int m = models.Count;
        if (sizes.Length != clusterCount) throw new ArgumentException($"sizes has {sizes.Length} entries for {clusterCount} clusters", nameof(sizes));
        if (answered.Length != clusterCount * m || correct.Length != clusterCount * m) throw new ArgumentException("answered and correct need clusters x models entries");
        if (!(priorStrength >= 0) || double.IsInfinity(priorStrength)) throw new ArgumentOutOfRangeException(nameof(priorStrength), priorStrength, "prior strength must be finite and >= 0");
        Models = models;
        ClusterCount = clusterCount;
        Sizes = sizes;
        PriorStrength = priorStrength;
        _answered = answered;
        _correct = correct;

        _global = new double[m];
        for (int j = 0; j < m; j++)
        {
            double c = 0; int a = 0;
            for (int k = 0; k < clusterCount; k++) { a += answered[k * m + j]; c += correct[k * m + j]; }
            _global[j] = a == 0 ? 0 : c / a;
        }

        _scores = new ModelScore[clusterCount * m];
        _ranking = new int[clusterCount][];
        for (int k = 0; k < clusterCount; k++)
        {
            for (int j = 0; j < m; j++)
            {
                int a = answered[k * m + j];
                double c = correct[k * m + j];
                double accuracy = a == 0 ? double.NaN : c / a;
                double smoothed = a + priorStrength == 0 ? _global[j] : (c + priorStrength * _global[j]) / (a + priorStrength);
                (double lower, double upper) = Wilson(c, a);
                _scores[k * m + j] = new ModelScore(a, c, accuracy, smoothed, lower, upper);
            }
            int cluster = k;
            _ranking[k] = Enumerable.Range(0, m).Order(Comparer<int>.Create((x, y) => CompareModels(cluster, x, y))).ToArray();
        }
    }

    /// <summary>Column names.</summary>
    public IReadOnlyList<string> Models { get; }
    /// <summary>Rows.</summary>
    public int ClusterCount { get; }
    /// <summary>Training items per cluster.</summary>
    public IReadOnlyList<int> Sizes { get; }
    /// <summary>Pseudo-counts toward the global accuracy.</summary>
    public double PriorStrength { get; }

    /// <summary>A model's score in a cluster.</summary>
    public ModelScore this[int cluster, int model] => _scores[cluster * Models.Count + model];

    /// <summary>Accuracy over all training items the model answered.</summary>
    public double GlobalAccuracy(int model) => _global[model];

    /// <summary>Model indices of a cluster, best first: smoothed accuracy, then global accuracy, then name (ordinal).</summary>
    public ReadOnlySpan<int> Ranking(int cluster) => _ranking[cluster];

    /// <summary>Orders two models within a cluster; negative when <paramref name="x"/> ranks higher.</summary>
    public int CompareModels(int cluster, int x, int y)
    {
        int m = Models.Count;
        int bySmoothed = _scores[cluster * m + y].Smoothed.CompareTo(_scores[cluster * m + x].Smoothed);
        if (bySmoothed != 0) return bySmoothed;
        int byGlobal = _global[y].CompareTo(_global[x]);
        return byGlobal != 0 ? byGlobal : string.CompareOrdinal(Models[x], Models[y]);
    }

    /// <summary>Raw counts, clusters x models, row-major (for artifacts).</summary>
    public (int[] Answered, double[] Correct) Counts() => (_answered, _correct);

    /// <summary>Upper bound of <see cref="EstimatePriorStrength"/> (clusters that tell nothing: every model at its global accuracy).</summary>
    public const double MaxEstimatedPriorStrength = 1000;

    /// <summary>
    /// Empirical-Bayes prior strength: per model, the spread of its accuracy between clusters beyond what the clusters'
    /// sizes explain (the method of moments of a Beta-binomial model), pooled over models and partitions, as the
    /// pseudo-count s of Beta(s * mean, s * (1 - mean)). Little true spread gives a strong prior, much a weak one.
    /// </summary>
    public static double EstimatePriorStrength(CorrectnessMatrix correctness, IReadOnlyList<int[]> partitions, int clusterCount)
    {
        int m = correctness.Models.Count;
        double signal = 0, noise = 0;
        foreach (int[] labels in partitions)
        {
            ClusterScores scores = Compute(correctness, labels, clusterCount, 0);
            for (int j = 0; j < m; j++)
            {
                double total = 0, right = 0, squares = 0; int clusters = 0;
                for (int c = 0; c < clusterCount; c++)
                {
                    int n = scores._answered[c * m + j];
                    if (n == 0) continue;
                    total += n; right += scores._correct[c * m + j]; squares += (double)n * n; clusters++;
                }
                if (clusters < 2 || total == 0) continue;
                double mu = right / total, spread = 0;
                for (int c = 0; c < clusterCount; c++)
                {
                    int n = scores._answered[c * m + j];
                    if (n == 0) continue;
                    double d = scores._correct[c * m + j] / n - mu;
                    spread += n * d * d;
                }
                double tau2 = (spread - mu * (1 - mu) * (clusters - 1)) / (total - squares / total);
                signal += Math.Max(0, tau2);
                noise += mu * (1 - mu);
            }
        }
        if (signal <= 0) return MaxEstimatedPriorStrength;
        return Math.Clamp(noise / signal - 1, 0, MaxEstimatedPriorStrength);
    }

    /// <summary>Counts correctness per cluster from training labels.</summary>
    /// <exception cref="ArgumentException">Labels and items disagree, or a label is out of range.</exception>
    public static ClusterScores Compute(CorrectnessMatrix correctness, int[] labels, int clusterCount, double priorStrength = DefaultPriorStrength)
    {
        ArgumentNullException.ThrowIfNull(correctness);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != correctness.Items) throw new ArgumentException($"{labels.Length} labels for {correctness.Items} items", nameof(labels));
        int m = correctness.Models.Count;
        var sizes = new int[clusterCount];
        var answered = new int[clusterCount * m];
        var correct = new double[clusterCount * m];
        for (int i = 0; i < labels.Length; i++)
        {
            int k = labels[i];
            if ((uint)k >= (uint)clusterCount) throw new ArgumentException($"label {k} of item {i} is outside 0..{clusterCount - 1}", nameof(labels));
            sizes[k]++;
            for (int j = 0; j < m; j++)
            {
                double value = correctness[i, j];
                if (double.IsNaN(value)) continue;
                answered[k * m + j]++;
                correct[k * m + j] += value;
            }
        }
        return new ClusterScores(correctness.Models, clusterCount, sizes, answered, correct, priorStrength);
    }

    private static (double Lower, double Upper) Wilson(double correct, int answered)
    {
        if (answered == 0) return (0, 1);
        double p = correct / answered, z2 = Z95 * Z95, n = answered;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = Z95 * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}
