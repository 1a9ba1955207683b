using System.Numerics.Tensors;

namespace Avengers.Clustering;

/// <summary>
/// BIRCH: one pass condenses the points into subclusters summarised by clustering features (count, linear
/// sum, sum of squared norms); a point joins its nearest subcluster when the subcluster's radius stays
/// within the threshold, else it starts a new one. Ward linkage then groups the subcluster centres into K
/// clusters, and each point takes its subcluster's cluster; centres are the means of the members.
/// The nearest subcluster is found by exhaustive search rather than through BIRCH's CF tree: the same
/// subclusters for the sizes calibration sees, without the tree's approximations. Deterministic: points are
/// read in order. When the threshold leaves fewer than K subclusters, it is halved until there are enough.
/// </summary>
public static class BirchClustering
{
    /// <summary>Largest subcluster radius (as scikit-learn's default; unit vectors lie within distance 2).</summary>
    public const double DefaultThreshold = 0.5;

    /// <exception cref="ArgumentException">k outside 1..n, or fewer than k distinct points.</exception>
    public static KMeansResult Fit(VectorSet points, int k, double threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(points);
        int n = points.Count;
        if (k < 1 || k > n) throw new ArgumentException($"K = {k} must lie between 1 and the number of points ({n})");
        if (!(threshold > 0) || double.IsInfinity(threshold)) throw new ArgumentException($"threshold must be a finite number > 0 (got {threshold})");
        points.EnsureFinite("birch input");

        for (; threshold > 1e-9; threshold /= 2)
        {
            (int[] subcluster, VectorSet centres) = Condense(points, threshold);
            if (centres.Count < k) continue;
            int[] groupOf = centres.Count == k ? Enumerable.Range(0, k).ToArray() : WardClustering.Fit(centres, k).Labels;
            var labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = groupOf[subcluster[i]];
            var (centroids, inertia) = ClusteringMethod.Means(points, labels, k);
            return new KMeansResult(centroids, labels, inertia, Iterations: 1, Restart: 0); // one pass over the points
        }
        throw new ArgumentException($"fewer than K = {k} distinct points: BIRCH cannot form {k} clusters");
    }

    /// <summary>One pass over the points; returns each point's subcluster and the subcluster centres.</summary>
    private static (int[] Subcluster, VectorSet Centres) Condense(VectorSet points, double threshold)
    {
        int n = points.Count, d = points.Dimension;
        var centres = new List<float[]>();
        var sums = new List<double[]>();
        var counts = new List<int>();
        var squares = new List<double>();
        var subcluster = new int[n];
        double limit = threshold * threshold;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> x = points[i];
            int nearest = -1;
            float nearestDistance = float.MaxValue;
            for (int c = 0; c < centres.Count; c++)
            {
                float distance = TensorPrimitives.Distance(x, centres[c]);
                if (distance < nearestDistance) { nearestDistance = distance; nearest = c; }
            }
            double norm2 = TensorPrimitives.Dot(x, x);
            if (nearest >= 0 && RadiusSquaredWith(sums[nearest], counts[nearest], squares[nearest], x, norm2) <= limit)
            {
                double[] sum = sums[nearest];
                for (int t = 0; t < d; t++) sum[t] += x[t];
                counts[nearest]++;
                squares[nearest] += norm2;
                float[] centre = centres[nearest];
                for (int t = 0; t < d; t++) centre[t] = (float)(sum[t] / counts[nearest]);
                subcluster[i] = nearest;
                continue;
            }
            var newSum = new double[d];
            for (int t = 0; t < d; t++) newSum[t] = x[t];
            sums.Add(newSum);
            counts.Add(1);
            squares.Add(norm2);
            centres.Add(x.ToArray());
            subcluster[i] = centres.Count - 1;
        }
        return (subcluster, new VectorSet(centres.SelectMany(c => c).ToArray(), d));
    }

    /// <summary>Mean squared distance to the centre if x joined: SS/N - |LS/N|^2 over the enlarged feature.</summary>
    private static double RadiusSquaredWith(double[] sum, int count, double squares, ReadOnlySpan<float> x, double norm2)
    {
        int n = count + 1;
        double centreNorm2 = 0;
        for (int t = 0; t < sum.Length; t++)
        {
            double mean = (sum[t] + x[t]) / n;
            centreNorm2 += mean * mean;
        }
        return Math.Max(0, (squares + norm2) / n - centreNorm2);
    }
}
