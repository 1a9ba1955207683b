using Microsoft.Extensions.AI;
using Avengers.Calibration;
using Avengers.Clustering;
using Avengers.Embedding;
using Avengers.Routing;
using Avengers.Scoring;
using BenchmarkDotNet.Attributes;

namespace Avengers.Benchmarks;

/// <summary>One routing decision (embedding excluded): K = 64 clusters of 384 dimensions per partition, 6 models.</summary>
[MemoryDiagnoser]
[MedianColumn]
public class RoutingBenchmarks
{
    private ClusterRouter _router = null!;
    private float[] _query = null!;
    private RoutingOptions _soft = null!;
    private RoutingOptions _gateway = null!;

    /// <summary>Independent clusterings the decision consults (1: the published method).</summary>
    [Params(1, 5)]
    public int Partitions { get; set; }

    /// <summary>
    /// no: calibration alone; yes: live feedback in every cluster and model (the ranking reads calibrated plus live
    /// counts); changed: that, and every model found changed in every cluster the query reaches (each candidate's score
    /// then gives its changed clusters half of it).
    /// </summary>
    [Params("no", "yes", "changed")]
    public string Live { get; set; } = "no";

    [GlobalSetup]
    public void Setup()
    {
        VectorSet points = BenchData.UnitVectors(5_000, 384);
        string[] models = ["qwen2.5-7b-instruct", "llama-3.1-8b-instruct", "mistral-7b-instruct-v0.3", "gemma-2-9b-it", "codegemma-7b", "llama3-chatqa-1.5-8b"];
        var random = new Random(1);
        var correctness = new CorrectnessMatrix(models, points.Count);
        for (int i = 0; i < points.Count; i++)
            for (int j = 0; j < models.Length; j++) correctness[i, j] = random.NextDouble() < 0.3 + 0.1 * j ? 1 : 0;
        CalibrationResult calibrated = Calibrator.Calibrate(points, correctness, new CalibrationOptions { K = 64, Restarts = 1, Partitions = Partitions },
            new RouterManifest.EmbeddingInfo("bench", 384), new RouterManifest.DataInfo("bench", "", points.Count, 0));
        _router = new ClusterRouter(calibrated.Artifact);
        _query = points[123].ToArray();
        _soft = new RoutingOptions { TopK = 3, Beta = 6 };
        if (Live != "no")
        {
            var live = new LiveEvidence(calibrated.Artifact.Scores.ClusterCount, models, TimeSpan.FromHours(72), clustersPerPartition: 64,
                calibrated: Live == "changed" ? calibrated.Artifact.Scores : null);
            for (int c = 0; c < calibrated.Artifact.Scores.ClusterCount; c++)
                for (int j = 0; j < models.Length; j++) live.Add([(c, 1.0)], j, random.NextDouble());
            if (Live == "changed")
            {
                ClusterMatch[] reached = [.. _router.Route(_query, _soft).Clusters];
                for (int j = 0; j < models.Length; j++)
                    for (int n = 0; n < 500 && !reached.All(m => live.Changed(m.Cluster, j)); n++)
                        foreach (ClusterMatch match in reached) live.Add([(match.Cluster, 1.0)], j, 0.0);
                if (!reached.All(m => Enumerable.Range(0, models.Length).All(j => live.Changed(m.Cluster, j))))
                    throw new InvalidOperationException("the set-up did not find every model changed in every cluster the query reaches");
            }
            _router = new ClusterRouter(calibrated.Artifact) { Live = live };
        }
        // The gateway's call: the available backends given as a set, the same set every time.
        _gateway = new RoutingOptions { TopK = 3, Beta = 6, Available = models.ToHashSet(StringComparer.Ordinal) };
    }

    [Benchmark(Description = "route: nearest cluster + rank 6 models")]
    public RoutingDecision Nearest() => _router.Route(_query);

    [Benchmark(Description = "route: soft top_k = 3")]
    public RoutingDecision Soft() => _router.Route(_query, _soft);

    [Benchmark(Description = "route: soft top_k = 3, available set (the gateway's call)")]
    public RoutingDecision Gateway() => _router.Route(_query, _gateway);
}

/// <summary>Embedding one short query with the in-process MiniLM model.</summary>
[MedianColumn]
public sealed class EmbeddingBenchmarks : IDisposable
{
    private OnnxEmbeddingGenerator _generator = null!;

    [GlobalSetup]
    public void Setup() => _generator = new OnnxEmbeddingGenerator(OnnxEmbeddingModel.MiniLM);

    [GlobalCleanup]
    public void Cleanup() => _generator.Dispose();

    public void Dispose() => _generator?.Dispose();

    [Benchmark(Description = "embed a 19-token query (MiniLM, 2 threads)")]
    public float[] ShortQuery() => _generator.Embed("How many apples does Sarah have left if she gives three of her ten apples away?");
}

/// <summary>
/// Embedding a batch of short questions in one call, per embedder: what one question costs alone and in a batch
/// (divide the time by the batch size), the basis of the gateway's micro-batching.
/// </summary>
[MedianColumn]
public class EmbeddingBatchBenchmarks
{
    private IEmbeddingGenerator<string, Embedding<float>> _generator = null!;
    private string[] _batch = null!;

    [Params("minilm", "minilm-int8", "minilm-static")]
    public string Embedder { get; set; } = "minilm";

    [Params(1, 8, 32)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _generator = EmbeddingModelSpec.Parse(Embedder).Create();
        _batch = [.. Enumerable.Range(0, Batch).Select(i => $"How many apples does Sarah have left if she gives {i + 3} of her {i + 10} apples away?")];
    }

    [GlobalCleanup]
    public void Cleanup() => _generator.Dispose();

    [Benchmark(Description = "embed a batch of ~20-token questions in one call")]
    public GeneratedEmbeddings<Embedding<float>> Embed() => _generator.GenerateAsync(_batch).GetAwaiter().GetResult();
}
