namespace Avengers.Clustering;

/// <summary>
/// The clustering methods calibration can use. k-means is the method's default; the others are the
/// paper's ablation alternatives, whose cluster centres are the means of their members.
/// </summary>
public static class ClusteringMethod
{
    /// <summary>Lloyd's k-means with k-means++ starts (the paper's default).</summary>
    public const string KMeans = "kmeans";
    /// <summary>Agglomerative clustering with Ward linkage.</summary>
    public const string Ward = "ward";
    /// <summary>Gaussian mixture with diagonal covariances (EM, started from k-means).</summary>
    public const string Gmm = "gmm";
    /// <summary>BIRCH: threshold-bounded subclusters in one pass, then Ward over their centres.</summary>
    public const string Birch = "birch";
    /// <summary>Spectral clustering over a k-nearest-neighbour graph (Ng-Jordan-Weiss).</summary>
    public const string Spectral = "spectral";

    /// <summary>Every method, for sweeps and messages.</summary>
    public static IReadOnlyList<string> All { get; } = [KMeans, Ward, Gmm, Birch, Spectral];

    /// <summary>Whether the seed changes the result (Ward and BIRCH are deterministic: one partition is enough).</summary>
    public static bool IsSeeded(string method) => method is KMeans or Gmm or Spectral;

    /// <exception cref="ArgumentException">Unknown method (the message lists the known ones).</exception>
    public static KMeansResult Fit(string method, VectorSet points, KMeansOptions options) => method switch
    {
        KMeans => Clustering.KMeans.Fit(points, options),
        Ward => WardClustering.Fit(points, options.K),
        Gmm => DiagonalGmm.Fit(points, options),
        Birch => BirchClustering.Fit(points, options.K),
        Spectral => SpectralClustering.Fit(points, options),
        _ => throw new ArgumentException($"unknown clustering method '{method}'; expected {string.Join(", ", All)}"),
    };

    /// <summary>Mean of each cluster's members (labels 0..k-1) and the sum of squared distances to them.</summary>
    internal static (VectorSet Centroids, double Inertia) Means(VectorSet points, int[] labels, int k)
    {
        int d = points.Dimension;
        var sums = new double[k * d];
        var counts = new int[k];
        for (int i = 0; i < labels.Length; i++)
        {
            counts[labels[i]]++;
            ReadOnlySpan<float> p = points[i];
            for (int t = 0; t < d; t++) sums[labels[i] * d + t] += p[t];
        }
        var centroids = new float[k * d];
        for (int j = 0; j < k; j++)
            for (int t = 0; t < d; t++) centroids[j * d + t] = counts[j] == 0 ? 0 : (float)(sums[j * d + t] / counts[j]);
        double inertia = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double dist = System.Numerics.Tensors.TensorPrimitives.Distance(points[i], centroids.AsSpan(labels[i] * d, d));
            inertia += dist * dist;
        }
        return (new VectorSet(centroids, d), inertia);
    }
}
