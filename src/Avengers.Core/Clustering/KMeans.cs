using System.Numerics.Tensors;

namespace Avengers.Clustering;

/// <summary>
/// k-means with a k-means++ start, seeded restarts and empty-cluster repair. Lloyd iterations are
/// accelerated with Hamerly's bounds (one upper and one lower bound per point), which skip most
/// distance computations once centroids settle; results equal plain Lloyd's for the same start.
/// Deterministic for a seed, whatever the number of threads.
/// </summary>
public static class KMeans
{
    private const int ChunkSize = 256;

    /// <exception cref="ArgumentException">Invalid options (all problems listed), K above the number of points, or non-finite input.</exception>
    public static KMeansResult Fit(VectorSet points, KMeansOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        options ??= new KMeansOptions();
        options.Validate(points.Count);
        points.EnsureFinite("k-means input");

        KMeansResult? best = null;
        for (int restart = 0; restart < options.Restarts; restart++)
        {
            var random = new Random(unchecked(options.Seed * 7919 + restart));
            KMeansResult result = FitOnce(points, options, random, restart);
            if (best is null || result.Inertia < best.Inertia) best = result; // ties keep the earlier restart
        }
        return best!;
    }

    /// <summary>k-means++ seeding: each next centre drawn with probability proportional to its squared distance to the chosen ones.</summary>
    internal static float[] PlusPlusStart(VectorSet points, int k, Random random, int? threads = null)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount };
        int chunks = (points.Count + ChunkSize - 1) / ChunkSize;
        int n = points.Count, d = points.Dimension;
        var centroids = new float[k * d];
        var nearest = new double[n];
        int first = random.Next(n);
        points[first].CopyTo(centroids);
        for (int i = 0; i < n; i++) nearest[i] = Squared(TensorPrimitives.Distance(points[i], points[first]));
        for (int c = 1; c < k; c++)
        {
            double total = 0;
            for (int i = 0; i < n; i++) total += nearest[i];
            int chosen = n - 1;
            if (total > 0)
            {
                double target = random.NextDouble() * total, running = 0;
                for (int i = 0; i < n; i++)
                {
                    running += nearest[i];
                    if (running > target) { chosen = i; break; }
                }
            }
            else chosen = random.Next(n); // all points coincide with centres: any choice is as good
            points[chosen].CopyTo(centroids.AsSpan(c * d, d));
            Parallel.For(0, chunks, parallel, chunk =>
            {
                ReadOnlySpan<float> centre = points[chosen];
                for (int i = chunk * ChunkSize, end = Math.Min(n, i + ChunkSize); i < end; i++)
                {
                    double distance = Squared(TensorPrimitives.Distance(points[i], centre));
                    if (distance < nearest[i]) nearest[i] = distance;
                }
            });
        }
        return centroids;
    }

    private static KMeansResult FitOnce(VectorSet points, KMeansOptions options, Random random, int restart)
    {
        int n = points.Count, d = points.Dimension, k = options.K;
        float[] centroids = PlusPlusStart(points, k, random, options.Threads);
        var labels = new int[n];
        var upper = new float[n];
        var lower = new float[n];
        var halfGap = new float[k];
        var moved = new float[k];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads ?? Environment.ProcessorCount };
        int chunks = (n + ChunkSize - 1) / ChunkSize;

        // First assignment: full scan of every point.
        Parallel.For(0, chunks, parallel, chunk =>
        {
            for (int i = chunk * ChunkSize, end = Math.Min(n, i + ChunkSize); i < end; i++)
                FullScan(points[i], centroids, k, d, out labels[i], out upper[i], out lower[i]);
        });

        var sums = new float[k * d];
        var counts = new int[k];
        var previous = new float[k * d];
        int iteration = 0;
        while (true)
        {
            iteration++;
            Array.Copy(centroids, previous, centroids.Length);
            Recenter(points, labels, centroids, sums, counts);
            if (RepairEmpty(points, labels, upper, lower, centroids, counts)) Recenter(points, labels, centroids, sums, counts);

            float maxMove = 0, secondMove = 0;
            int maxMoved = -1;
            for (int j = 0; j < k; j++)
            {
                moved[j] = TensorPrimitives.Distance(previous.AsSpan(j * d, d), centroids.AsSpan(j * d, d));
                if (moved[j] > maxMove) { secondMove = maxMove; maxMove = moved[j]; maxMoved = j; }
                else if (moved[j] > secondMove) secondMove = moved[j];
            }
            if (maxMove <= options.Tolerance || iteration >= options.MaxIterations) break;

            for (int j = 0; j < k; j++)
            {
                float closest = float.MaxValue;
                for (int other = 0; other < k; other++)
                {
                    if (other == j) continue;
                    float gap = TensorPrimitives.Distance(centroids.AsSpan(j * d, d), centroids.AsSpan(other * d, d));
                    if (gap < closest) closest = gap;
                }
                halfGap[j] = k == 1 ? float.MaxValue : closest / 2;
            }

            int changed = 0;
            Parallel.For(0, chunks, parallel, () => 0, (chunk, _, local) =>
            {
                for (int i = chunk * ChunkSize, end = Math.Min(n, i + ChunkSize); i < end; i++)
                {
                    int label = labels[i];
                    upper[i] += moved[label];
                    lower[i] -= label == maxMoved ? secondMove : maxMove;
                    float bound = Math.Max(halfGap[label], lower[i]);
                    if (upper[i] <= bound) continue;
                    upper[i] = TensorPrimitives.Distance(points[i], centroids.AsSpan(label * d, d));
                    if (upper[i] <= bound) continue;
                    FullScan(points[i], centroids, k, d, out labels[i], out upper[i], out lower[i]);
                    if (labels[i] != label) local++;
                }
                return local;
            }, local => Interlocked.Add(ref changed, local));
            if (changed == 0) break;
        }

        double inertia = 0;
        for (int i = 0; i < n; i++) inertia += Squared(TensorPrimitives.Distance(points[i], centroids.AsSpan(labels[i] * d, d)));
        return new KMeansResult(new VectorSet(centroids, d), labels, inertia, iteration, restart);
    }

    private static void FullScan(ReadOnlySpan<float> point, float[] centroids, int k, int d, out int label, out float best, out float second)
    {
        label = 0;
        best = float.MaxValue;
        second = float.MaxValue;
        for (int j = 0; j < k; j++)
        {
            float distance = TensorPrimitives.Distance(point, centroids.AsSpan(j * d, d));
            if (distance < best) { second = best; best = distance; label = j; }
            else if (distance < second) second = distance;
        }
    }

    // Sums in float with SIMD adds: clusters hold at most a few thousand unit vectors, far from float's limits,
    // and a scalar double loop here cost more than all the distance work of an iteration.
    private static void Recenter(VectorSet points, int[] labels, float[] centroids, float[] sums, int[] counts)
    {
        int d = points.Dimension, k = counts.Length;
        Array.Clear(sums);
        Array.Clear(counts);
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            counts[label]++;
            Span<float> sum = sums.AsSpan(label * d, d);
            TensorPrimitives.Add(sum, points[i], sum);
        }
        for (int j = 0; j < k; j++)
        {
            if (counts[j] == 0) continue; // kept in place; repaired by the caller
            TensorPrimitives.Divide(sums.AsSpan(j * d, d), counts[j], centroids.AsSpan(j * d, d));
        }
    }

    /// <summary>An empty cluster takes the point farthest from its own centre (from a cluster that keeps at least one member).</summary>
    private static bool RepairEmpty(VectorSet points, int[] labels, float[] upper, float[] lower, float[] centroids, int[] counts)
    {
        int d = points.Dimension;
        bool repaired = false;
        for (int j = 0; j < counts.Length; j++)
        {
            if (counts[j] > 0) continue;
            int farthest = -1;
            float farthestDistance = -1;
            for (int i = 0; i < labels.Length; i++)
            {
                if (counts[labels[i]] < 2) continue;
                float distance = TensorPrimitives.Distance(points[i], centroids.AsSpan(labels[i] * d, d));
                if (distance > farthestDistance) { farthestDistance = distance; farthest = i; }
            }
            if (farthest < 0) break;
            counts[labels[farthest]]--;
            labels[farthest] = j;
            counts[j] = 1;
            points[farthest].CopyTo(centroids.AsSpan(j * d, d));
            upper[farthest] = 0;
            lower[farthest] = 0;
            repaired = true;
        }
        return repaired;
    }

    private static double Squared(float value) => (double)value * value;
}
