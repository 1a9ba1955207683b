using Avengers.Calibration;
using Avengers.Data;
using Avengers.Evaluation;
using Microsoft.Extensions.AI;

namespace Avengers.Tests.Evaluation;

/// <summary>Deterministic bag-of-words vectors: enough structure for clustering, no model needed.</summary>
internal sealed class HashingEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    public int Calls { get; private set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(text =>
        {
            var v = new float[32];
            foreach (string word in text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
                v[(int)((uint)StringComparer.Ordinal.GetHashCode(word) % 32)] += 1;
            TestData.Normalize(v);
            return new Embedding<float>(v);
        })));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;
    public void Dispose() { }
}

public class AblationTests
{
    private static Benchmark TwoTopics()
    {
        var records = new List<BenchmarkRecord>();
        for (int i = 0; i < 60; i++)
        {
            bool math = i % 2 == 0;
            string query = math ? $"compute the sum of numbers {i} and {i + 1} please" : $"name the capital city of country number {i} please";
            records.Add(new BenchmarkRecord
            {
                Id = $"{i:D3}",
                Dataset = math ? "math" : "geo",
                Query = query,
                Outputs = new Dictionary<string, IReadOnlyList<Sample>>
                {
                    ["m"] = [new Sample(Score: math ? 1 : 0)],
                    ["g"] = [new Sample(Score: math ? 0 : 1)],
                    ["x"] = [new Sample(Score: 0.5)],
                },
            });
        }
        string path = Path.Combine(TestData.TempDir(), "two.jsonl");
        BenchmarkWriter.Write(path, records);
        return BenchmarkReader.Read(path);
    }

    [Fact]
    public void A_dataset_filter_or_an_estimated_prior_is_another_setup_whose_rows_are_not_reused()
    {
        Benchmark whole = TwoTopics();
        var baseline = new ExperimentOptions { Calibration = new CalibrationOptions { K = 2 } };
        Benchmark math = whole.WithDatasets(["math"]);
        Assert.Equal(30, math.Records.Count);
        Assert.Equal(["math"], math.DatasetFilter);

        string[] hashes =
        [
            Ablation.SetupHash(whole, baseline, "e"), Ablation.SetupHash(math, baseline, "e"), Ablation.SetupHash(whole.WithDatasets(["geo"]), baseline, "e"),
            Ablation.SetupHash(whole, baseline with { Calibration = baseline.Calibration with { EstimatePrior = true } }, "e"),
        ];
        Assert.Equal(hashes.Length, hashes.Distinct().Count());
        Assert.Equal(hashes[1], Ablation.SetupHash(whole.WithDatasets(["math"]), baseline, "e"));
        Assert.Throws<ArgumentException>(() => whole.WithDatasets(["history"]));
    }

    [Fact]
    public async Task Sweep_writes_csv_and_resumes_without_recomputing()
    {
        Benchmark benchmark = TwoTopics();
        string dir = TestData.TempDir();
        var embedder = new HashingEmbedder();
        Task<(IEmbeddingGenerator<string, Embedding<float>>, string)> For(string _) => Task.FromResult<(IEmbeddingGenerator<string, Embedding<float>>, string)>((embedder, "hashing"));
        var baseline = new ExperimentOptions { Calibration = new CalibrationOptions { K = 2 } };
        Sweep k = Ablation.Known(3).Single(s => s.Name == "k");

        IReadOnlyList<AblationPoint> first = await Ablation.RunAsync(benchmark, baseline, k, ["1", "2", "4"], dir, For, "hashing");
        int calls = embedder.Calls;
        Assert.Equal(3, first.Count);
        Assert.True(first.Single(p => p.Value == "2").Avengers > first.Single(p => p.Value == "1").Avengers, "two clusters separate the topics; one cannot");
        Assert.Equal(1.0, first.Single(p => p.Value == "2").Avengers, 6);

        var resumed = new List<bool>();
        IReadOnlyList<AblationPoint> second = await Ablation.RunAsync(benchmark, baseline, k, ["1", "2", "4", "8"], dir, For, "hashing", (_, r) => resumed.Add(r));
        Assert.Equal([true, true, true, false], resumed);
        Assert.Equal(calls + 1, embedder.Calls); // only the new point embedded again
        Assert.Equal(first.Select(p => p.Avengers), second.Take(3).Select(p => p.Avengers));
        Assert.Equal(5, File.ReadAllLines(Path.Combine(dir, "k.csv")).Length); // header + 4 rows

        // Another base setup does not reuse those rows.
        var otherBase = baseline with { Calibration = baseline.Calibration with { PriorStrength = 7 } };
        var again = new List<bool>();
        await Ablation.RunAsync(benchmark, otherBase, k, ["1"], dir, For, "hashing", (_, r) => again.Add(r));
        Assert.Equal([false], again);
    }

    [Fact]
    public void Malformed_csv_names_file_and_line()
    {
        string path = Path.Combine(TestData.TempDir(), "k.csv");
        File.WriteAllLines(path, [Ablation.CsvHeader, "k,8,0.5,0.4,0.3,0.5,0.7,1,abc", "k,16,zero,0.4,0.3,0.5,0.7,1,abc"]);
        var error = Assert.Throws<FormatException>(() => Ablation.ReadCsv(path));
        Assert.Contains($"{path}:3", error.Message);
        Assert.Contains("avengers", error.Message);
    }

    [Fact]
    public async Task Plot_is_written_as_png()
    {
        var points = new[] { new AblationPoint("k", "8", 0.5, 0.4, 0.3, 0.55, 0.7, 1, "x"), new AblationPoint("k", "64", 0.52, 0.4, 0.3, 0.55, 0.7, 1, "x") };
        string path = Path.Combine(TestData.TempDir(), "k.png");
        Avengers.Reporting.AblationPlot.Save("k", points, path);
        byte[] bytes = await File.ReadAllBytesAsync(path);
        Assert.True(bytes.Length > 1000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
    }
}

public class ParetoFrontTests
{
    [Fact]
    public void Front_keeps_only_undominated_points_by_cost()
    {
        AblationPoint P(string v, double acc, double cost) => new("alpha", v, acc, 0, 0, 0, 0, 1, "s", cost);
        var points = new[] { P("0", 0.45, 1), P("0.4", 0.54, 2), P("0.5", 0.53, 3), P("0.9", 0.56, 5), P("1", 0.57, 8) };
        Assert.Equal(["0", "0.4", "0.9", "1"], Avengers.Reporting.AblationPlot.ParetoFront(points).Select(p => p.Value));
    }
}

public class AblationLockTests
{
    [Fact]
    public async Task Two_runs_on_one_sweep_file_do_not_interleave()
    {
        string dir = TestData.TempDir();
        using var held = new FileStream(Path.Combine(dir, "k.csv.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var records = Enumerable.Range(0, 10).Select(i => new BenchmarkRecord
        {
            Id = $"{i}",
            Dataset = "d",
            Query = $"q {i}",
            Outputs = new Dictionary<string, IReadOnlyList<Sample>> { ["m"] = [new Sample(Score: 1)] },
        });
        string path = Path.Combine(dir, "b.jsonl");
        BenchmarkWriter.Write(path, records);
        var embedder = new HashingEmbedder();
        Task<(IEmbeddingGenerator<string, Embedding<float>>, string)> For(string _) => Task.FromResult<(IEmbeddingGenerator<string, Embedding<float>>, string)>((embedder, "hashing"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Ablation.RunAsync(BenchmarkReader.Read(path), new ExperimentOptions(),
            Ablation.Known(1).Single(s => s.Name == "k"), ["1"], dir, For, "hashing"));
        Assert.Contains("another ablate run is writing", error.Message);
    }
}
