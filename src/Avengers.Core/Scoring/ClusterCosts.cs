namespace Avengers.Scoring;

/// <summary>
/// Mean cost (in currency units per query) of every model in every cluster, from training items; NaN
/// where a model answered none of a cluster's items. Used by cost-aware routing.
/// </summary>
public sealed class ClusterCosts
{
    private readonly double[] _mean;

    /// <summary>Wraps a clusters x models table of mean costs (no copy).</summary>
    /// <param name="clusterCount">Rows.</param>
    /// <param name="modelCount">Columns.</param>
    /// <param name="mean">Row-major mean cost per query.</param>
    public ClusterCosts(int clusterCount, int modelCount, double[] mean)
    {
        if (mean.Length != clusterCount * modelCount) throw new ArgumentException($"{mean.Length} costs for {clusterCount} clusters x {modelCount} models", nameof(mean));
        ClusterCount = clusterCount;
        ModelCount = modelCount;
        _mean = mean;
    }

    /// <summary>Rows: clusters.</summary>
    public int ClusterCount { get; }
    /// <summary>Columns: models.</summary>
    public int ModelCount { get; }
    /// <summary>A model's mean cost per query in a cluster.</summary>
    public double this[int cluster, int model] => _mean[cluster * ModelCount + model];
    /// <summary>Row-major costs.</summary>
    public double[] Values => _mean;

    /// <param name="costs">Items x models, row-major; NaN where the model has no output.</param>
    public static ClusterCosts Compute(double[] costs, int modelCount, int[] labels, int clusterCount)
    {
        if (costs.Length != labels.Length * modelCount) throw new ArgumentException($"{costs.Length} costs for {labels.Length} items x {modelCount} models", nameof(costs));
        var sum = new double[clusterCount * modelCount];
        var count = new int[clusterCount * modelCount];
        for (int i = 0; i < labels.Length; i++)
            for (int j = 0; j < modelCount; j++)
            {
                double c = costs[i * modelCount + j];
                if (double.IsNaN(c)) continue;
                sum[labels[i] * modelCount + j] += c;
                count[labels[i] * modelCount + j]++;
            }
        for (int x = 0; x < sum.Length; x++) sum[x] = count[x] == 0 ? double.NaN : sum[x] / count[x];
        return new ClusterCosts(clusterCount, modelCount, sum);
    }
}
