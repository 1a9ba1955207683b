using System.Numerics.Tensors;

namespace Avengers.Clustering;

/// <summary>
/// Spectral clustering (Ng, Jordan and Weiss): a symmetric k-nearest-neighbour graph over cosine similarity,
/// the K leading eigenvectors of its normalised affinity D^-1/2 W D^-1/2 (found by seeded subspace
/// iteration on (I + D^-1/2 W D^-1/2) / 2, so that the largest eigenvalues also lead in magnitude), rows
/// scaled to unit length and clustered with k-means. Centres are the means of the members in the original
/// space. Building the graph compares every pair of points: O(n^2 d) time, O(n k) memory.
/// </summary>
public static class SpectralClustering
{
    /// <summary>Neighbours per point in the similarity graph unless set.</summary>
    public const int DefaultNeighbours = 10;
    private const int MaxIterations = 300;
    private const double Tolerance = 1e-5;

    /// <exception cref="ArgumentException">k outside 1..n.</exception>
    public static KMeansResult Fit(VectorSet points, KMeansOptions options, int neighbours = DefaultNeighbours)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(options);
        int n = points.Count, k = options.K;
        if (k < 1 || k > n) throw new ArgumentException($"K = {k} must lie between 1 and the number of points ({n})");
        points.EnsureFinite("spectral input");
        neighbours = Math.Clamp(neighbours, 1, Math.Max(1, n - 1));

        List<int>[] graph = NeighbourGraph(points, neighbours);
        var scale = new double[n]; // D^-1/2
        for (int i = 0; i < n; i++) scale[i] = graph[i].Count == 0 ? 0 : 1 / Math.Sqrt(graph[i].Count);

        double[] basis = LeadingEigenvectors(graph, scale, k, options.Seed);
        var rows = new float[n * k];
        for (int i = 0; i < n; i++)
        {
            double norm = 0;
            for (int c = 0; c < k; c++) norm += basis[i * k + c] * basis[i * k + c];
            norm = Math.Sqrt(norm);
            for (int c = 0; c < k; c++) rows[i * k + c] = norm > 0 ? (float)(basis[i * k + c] / norm) : 0;
        }
        KMeansResult spectral = KMeans.Fit(new VectorSet(rows, k), options);
        var (centroids, inertia) = ClusteringMethod.Means(points, spectral.Labels, k);
        return new KMeansResult(centroids, spectral.Labels, inertia, spectral.Iterations, spectral.Restart);
    }

    /// <summary>Each point linked to its nearest neighbours by cosine, made symmetric (an edge if either side chose it).</summary>
    private static List<int>[] NeighbourGraph(VectorSet points, int neighbours)
    {
        int n = points.Count;
        var chosen = new int[n][];
        Parallel.For(0, n, () => new float[n], (i, _, similarities) =>
        {
            ReadOnlySpan<float> p = points[i];
            for (int j = 0; j < n; j++) similarities[j] = TensorPrimitives.Dot(p, points[j]);
            similarities[i] = float.NegativeInfinity; // not its own neighbour
            var top = new int[neighbours];
            chosen[i] = top[..TopK.Indices(similarities, 0, n, top)];
            return similarities;
        }, _ => { });
        var graph = Enumerable.Range(0, n).Select(_ => new HashSet<int>()).ToArray();
        for (int i = 0; i < n; i++)
            foreach (int j in chosen[i]) { graph[i].Add(j); graph[j].Add(i); }
        return graph.Select(set => set.Order().ToList()).ToArray();
    }

    /// <summary>
    /// Subspace iteration for the k leading eigenvectors of (I + S W S) / 2, returned n x k row-major. Columns
    /// are kept as separate vectors so that every inner product and update is one SIMD call.
    /// </summary>
    private static double[] LeadingEigenvectors(List<int>[] graph, double[] scale, int k, int seed)
    {
        int n = graph.Length;
        var random = new Random(seed);
        double[][] q = Enumerable.Range(0, k).Select(_ => Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray()).ToArray();
        Orthonormalize(q);
        double[][] next = Enumerable.Range(0, k).Select(_ => new double[n]).ToArray();
        for (int iteration = 1; iteration <= MaxIterations; iteration++)
        {
            Parallel.For(0, k, c =>
            {
                double[] from = q[c], to = next[c];
                for (int i = 0; i < n; i++)
                {
                    double sum = 0;
                    foreach (int j in graph[i]) sum += scale[j] * from[j];
                    to[i] = 0.5 * (from[i] + scale[i] * sum);
                }
            });
            Orthonormalize(next);
            bool check = iteration % 10 == 0 || iteration == MaxIterations;
            double worst = 0;
            if (check)
            {
                // Converged when every new column lies in the span of the old basis.
                for (int c = 0; c < k; c++)
                {
                    double projected = 0;
                    for (int other = 0; other < k; other++)
                    {
                        double dot = TensorPrimitives.Dot<double>(q[other], next[c]);
                        projected += dot * dot;
                    }
                    worst = Math.Max(worst, 1 - projected);
                }
            }
            (q, next) = (next, q);
            if (check && worst < Tolerance) break;
        }
        var rows = new double[n * k];
        for (int c = 0; c < k; c++)
            for (int i = 0; i < n; i++) rows[i * k + c] = q[c][i];
        return rows;
    }

    /// <summary>Modified Gram-Schmidt over the columns, twice for stability.</summary>
    private static void Orthonormalize(double[][] columns)
    {
        int n = columns[0].Length;
        for (int pass = 0; pass < 2; pass++)
        {
            for (int c = 0; c < columns.Length; c++)
            {
                Span<double> column = columns[c];
                for (int previous = 0; previous < c; previous++)
                {
                    double dot = TensorPrimitives.Dot<double>(columns[previous], column);
                    TensorPrimitives.MultiplyAdd<double>(columns[previous], -dot, column, column);
                }
                double norm = TensorPrimitives.Norm<double>(column);
                if (norm < 1e-12)
                {
                    // A degenerate column: restart it from a unit vector; the second pass orthogonalises it.
                    column.Clear();
                    column[c % n] = 1;
                    continue;
                }
                TensorPrimitives.Divide<double>(column, norm, column);
            }
        }
    }
}
