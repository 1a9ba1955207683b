using System.Diagnostics;
using Avengers.Clustering;
using Avengers.Data;
using Avengers.Embedding;

namespace Avengers.Benchmarks;

/// <summary>
/// How far the static embedder moves the clusters: both shared benchmarks' queries clustered (k-means, K = 64, seed
/// 42) on MiniLM and on minilm-static, compared by the adjusted Rand index and by how often each query's nearest
/// MiniLM neighbour stays its nearest static neighbour; plus the embedding rate of each.
/// Run: dotnet run -c Release --project bench/Avengers.Benchmarks -- static-agreement
/// </summary>
internal static class StaticAgreement
{
    public static async Task RunAsync()
    {
        using EmbeddingStack minilm = await EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse("minilm"), EmbeddingStack.DefaultCachePath);
        using EmbeddingStack stat = await EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse("minilm-static"), null);
        foreach (string name in new[] { "llmrouter", "mmlu-pro" })
        {
            string file = await BenchmarkCatalog.ResolveAsync(name, false, Console.WriteLine);
            string[] queries = [.. BenchmarkReader.Read(file).Records.Select(r => r.Query)];
            VectorSet a = await EmbeddingRunner.EmbedAllAsync(minilm.Generator, queries);
            var watch = Stopwatch.StartNew();
            VectorSet b = await EmbeddingRunner.EmbedAllAsync(stat.Generator, queries);
            double staticRate = queries.Length / watch.Elapsed.TotalSeconds;
            int[] la = ClusteringMethod.Fit("kmeans", a, new KMeansOptions { K = 64, Seed = 42 }).Labels;
            int[] lb = ClusteringMethod.Fit("kmeans", b, new KMeansOptions { K = 64, Seed = 42 }).Labels;
            Console.WriteLine($"{name}: {queries.Length} queries; adjusted Rand index {AdjustedRand(la, lb):F3}; " +
                $"nearest neighbour kept {NeighbourKept(a, b, 1000):P1} (1,000 queries); static embedding {staticRate:N0} queries/s");
        }
    }

    private static double AdjustedRand(int[] x, int[] y)
    {
        static double Pairs(long n) => n * (n - 1) / 2.0;
        var cells = new Dictionary<(int, int), long>();
        var rows = new Dictionary<int, long>();
        var cols = new Dictionary<int, long>();
        for (int i = 0; i < x.Length; i++)
        {
            cells[(x[i], y[i])] = cells.GetValueOrDefault((x[i], y[i])) + 1;
            rows[x[i]] = rows.GetValueOrDefault(x[i]) + 1;
            cols[y[i]] = cols.GetValueOrDefault(y[i]) + 1;
        }
        double index = cells.Values.Sum(Pairs), a = rows.Values.Sum(Pairs), b = cols.Values.Sum(Pairs), total = Pairs(x.Length);
        double expected = a * b / total, max = (a + b) / 2;
        return (index - expected) / (max - expected);
    }

    private static double NeighbourKept(VectorSet a, VectorSet b, int sample)
    {
        int kept = 0, n = Math.Min(sample, a.Count);
        for (int i = 0; i < n; i++) kept += Nearest(a, i) == Nearest(b, i) ? 1 : 0;
        return (double)kept / n;
    }

    private static int Nearest(VectorSet set, int i)
    {
        int best = -1;
        float bestDot = float.NegativeInfinity;
        for (int j = 0; j < set.Count; j++)
        {
            if (j == i) continue;
            float dot = System.Numerics.Tensors.TensorPrimitives.Dot(set[i], set[j]);
            if (dot > bestDot) (best, bestDot) = (j, dot);
        }
        return best;
    }
}
