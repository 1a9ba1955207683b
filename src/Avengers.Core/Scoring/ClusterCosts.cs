namespace Avengers.Scoring;

/// <summary>
/// Mean cost (in currency units per query) of every model in every cluster, from training items; NaN
/// where a model answered none of a cluster's items. Used by cost-aware routing.
/// </summary>
public sealed class ClusterCosts
{
    private readonly double[] _mean;

    public ClusterCosts(int clusterCount, int modelCount, double[] mean)
    {
        if (mean.Length != clusterCount * modelCount) throw new ArgumentException($"{mean.Length} costs for {clusterCount} clusters x {modelCount} models", nameof(mean));
        ClusterCount = clusterCount;
        ModelCount = modelCount;
        _mean = mean;
    }

    public int ClusterCount { get; }
    public int ModelCount { get; }
    public double this[int cluster, int model] => _mean[cluster * ModelCount + model];
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
