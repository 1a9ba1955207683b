using Avengers.Clustering;

namespace Avengers.Tests;

/// <summary>Seeded synthetic data and paths to the shared benchmarks.</summary>
internal static class TestData
{
    /// <summary>Points drawn around <paramref name="clusters"/> well-separated random unit centres; returns points and true labels.</summary>
    public static (VectorSet Points, int[] Truth) PlantedClusters(int clusters, int perCluster, int dimension, float noise, int seed)
    {
        var random = new Random(seed);
        var centres = new float[clusters * dimension];
        for (int c = 0; c < clusters; c++) FillUnit(random, centres.AsSpan(c * dimension, dimension));
        int n = clusters * perCluster;
        var data = new float[n * dimension];
        var truth = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % clusters;
            truth[i] = c;
            for (int t = 0; t < dimension; t++) data[i * dimension + t] = centres[c * dimension + t] + noise * Gaussian(random);
            Normalize(data.AsSpan(i * dimension, dimension));
        }
        return (new VectorSet(data, dimension), truth);
    }

    public static void FillUnit(Random random, Span<float> vector)
    {
        for (int t = 0; t < vector.Length; t++) vector[t] = Gaussian(random);
        Normalize(vector);
    }

    public static float Gaussian(Random random)
        => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    public static void Normalize(Span<float> vector)
    {
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm(vector);
        for (int t = 0; t < vector.Length; t++) vector[t] /= norm;
    }

    /// <summary>The shared benchmark folder (../shared/benchmarks from the repository root), or null.</summary>
    public static string? SharedBenchmarks => Avengers.Data.BenchmarkLocator.FindDataRoot();

    public static string RequireShared(string sub)
    {
        string root = SharedBenchmarks ?? throw new InvalidOperationException("the shared benchmark folder (../shared/benchmarks or $AVENGERS_DATA) is required by this test");
        return Path.Combine(root, sub);
    }

    private static readonly string TempRoot = CreateTempRoot();

    /// <summary>A fresh folder under one per-run root that is deleted when the test process exits.</summary>
    /// <summary>
    /// The first <paramref name="take"/> MMLU-Pro questions (ordered by id) with the recorded responses of
    /// <paramref name="models"/>, imported from the shared zips into <paramref name="dir"/>; returns the benchmark file.
    /// </summary>
    public static string MmluProSubset(string dir, IReadOnlyList<string> models, int take)
    {
        string source = RequireShared("mmlu-pro");
        foreach (string model in models)
            File.CreateSymbolicLink(Path.Combine(dir, $"model_outputs_{model}_5shots.zip"), Path.Combine(source, $"model_outputs_{model}_5shots.zip"));
        string full = Path.Combine(dir, "mmlu.jsonl");
        Avengers.Data.Import.MmluProImporter.Import(dir, full);
        string small = Path.Combine(dir, "mmlu-small.jsonl");
        Avengers.Data.BenchmarkWriter.Write(small, Avengers.Data.BenchmarkReader.Read(full).Records.Take(take));
        return small;
    }

    public static string TempDir()
    {
        string dir = Path.Combine(TempRoot, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string CreateTempRoot()
    {
        string root = Path.Combine(Path.GetTempPath(), "avengers-tests", $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return root;
    }
}
