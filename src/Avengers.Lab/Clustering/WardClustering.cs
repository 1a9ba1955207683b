using System.Numerics.Tensors;

namespace Avengers.Clustering;

/// <summary>
/// Agglomerative clustering with Ward linkage, by the nearest-neighbour-chain algorithm with
/// Lance-Williams updates: O(n^2) time and memory (a float distance matrix), exact, deterministic
/// (ties go to the lower index).
/// </summary>
public static class WardClustering
{
    /// <exception cref="ArgumentException">k outside 1..n.</exception>
    public static KMeansResult Fit(VectorSet points, int k)
    {
        ArgumentNullException.ThrowIfNull(points);
        int n = points.Count;
        if (k < 1 || k > n) throw new ArgumentException($"K = {k} must lie between 1 and the number of points ({n})");
        points.EnsureFinite("ward input");

        // Ward distances between singletons: half the squared Euclidean distance (the merge cost).
        var dist = new float[(long)n * n];
        Parallel.For(0, n, i =>
        {
            for (int j = i + 1; j < n; j++)
            {
                float d = TensorPrimitives.Distance(points[i], points[j]);
                dist[(long)i * n + j] = dist[(long)j * n + i] = d * d / 2;
            }
        });
        var size = new int[n];
        Array.Fill(size, 1);
        var active = new bool[n];
        Array.Fill(active, true);
        var parent = Enumerable.Range(0, n).ToArray(); // union-find over merged points
        int clusters = n;
        var chain = new List<int>(n);

        while (clusters > k)
        {
            if (chain.Count == 0) chain.Add(Array.IndexOf(active, true));
            while (true)
            {
                int a = chain[^1];
                int previous = chain.Count > 1 ? chain[^2] : -1;
                int best = -1;
                float bestDistance = float.MaxValue;
                long row = (long)a * n;
                for (int b = 0; b < n; b++)
                {
                    if (!active[b] || b == a) continue;
                    float d = dist[row + b];
                    if (d < bestDistance || (d == bestDistance && b == previous)) { bestDistance = d; best = b; }
                }
                if (best == previous)
                {
                    chain.RemoveRange(chain.Count - 2, 2);
                    Merge(Math.Min(a, best), Math.Max(a, best), bestDistance);
                    break;
                }
                chain.Add(best);
            }
        }

        void Merge(int keep, int gone, float between)
        {
            // Lance-Williams for Ward: d(k, i+j) = ((s_i + s_k) d(i,k) + (s_j + s_k) d(j,k) - s_k d(i,j)) / (s_i + s_j + s_k)
            int si = size[keep], sj = size[gone];
            for (int other = 0; other < n; other++)
            {
                if (!active[other] || other == keep || other == gone) continue;
                int so = size[other];
                float updated = ((si + so) * dist[(long)keep * n + other] + (sj + so) * dist[(long)gone * n + other] - so * between) / (si + sj + so);
                dist[(long)keep * n + other] = dist[(long)other * n + keep] = updated;
            }
            active[gone] = false;
            size[keep] = si + sj;
            parent[gone] = keep;
            clusters--;
        }

        int Find(int x)
        {
            while (parent[x] != x) { parent[x] = parent[parent[x]]; x = parent[x]; }
            return x;
        }

        // Label clusters 0..k-1 in order of their smallest member, for determinism.
        var labelOf = new Dictionary<int, int>();
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int root = Find(i);
            if (!labelOf.TryGetValue(root, out int label)) labelOf[root] = label = labelOf.Count;
            labels[i] = label;
        }
        var (centroids, inertia) = ClusteringMethod.Means(points, labels, k);
        return new KMeansResult(centroids, labels, inertia, n - k, 0);
    }
}
