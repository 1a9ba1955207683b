using Avengers.Clustering;
using BenchmarkDotNet.Attributes;

namespace Avengers.Benchmarks;

/// <summary>k-means on 10,000 x 384 unit vectors, K = 64: this project's k-means against ML.NET's, same data, same run.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class KMeansBenchmarks
{
    private VectorSet _points = null!;
    private MlNetKMeans _mlNet = null!;

    [GlobalSetup]
    public void Setup()
    {
        _points = BenchData.UnitVectors(10_000, 384);
        _mlNet = new MlNetKMeans(_points, 64);
    }

    [Benchmark(Baseline = true, Description = "ML.NET KMeans (k-means++)")]
    public float[][] MlNet() => _mlNet.Fit();

    [Benchmark(Description = "Avengers KMeans, 1 start")]
    public KMeansResult OneStart() => KMeans.Fit(_points, new KMeansOptions { K = 64, Seed = 42, Restarts = 1 });

    [Benchmark(Description = "Avengers KMeans, 3 starts (calibration default)")]
    public KMeansResult ThreeStarts() => KMeans.Fit(_points, new KMeansOptions { K = 64, Seed = 42, Restarts = 3 });
}

/// <summary>Inertia of both implementations on the benchmark data (quality must match, not only speed).</summary>
internal static class KMeansQuality
{
    public static void Run()
    {
        VectorSet points = BenchData.UnitVectors(10_000, 384);
        var mlNet = new MlNetKMeans(points, 64);
        for (int seed = 42; seed < 45; seed++)
        {
            KMeansResult one = KMeans.Fit(points, new KMeansOptions { K = 64, Seed = seed, Restarts = 1 });
            KMeansResult three = KMeans.Fit(points, new KMeansOptions { K = 64, Seed = seed, Restarts = 3 });
            Console.WriteLine($"seed {seed}: avengers 1 start {one.Inertia:F1} ({one.Iterations} iterations), 3 starts {three.Inertia:F1}");
        }
        double theirs = MlNetKMeans.Inertia(points, mlNet.Fit());
        Console.WriteLine($"ML.NET k-means++: {theirs:F1}");
    }
}
