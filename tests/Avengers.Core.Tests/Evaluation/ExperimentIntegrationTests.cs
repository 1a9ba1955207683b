using Avengers.Calibration;
using Avengers.Data;
using Avengers.Data.Import;
using Avengers.Embedding;
using Avengers.Evaluation;
using Avengers.Voting;

namespace Avengers.Tests.Evaluation;

/// <summary>
/// The whole pipeline with the real in-process embedding model on a small subset of the shared
/// LLMRouter data: a few hundred queries, so it runs in seconds.
/// </summary>
public class ExperimentIntegrationTests
{
    private static string LlmRouterSubset(string dir, int perDatasetTrain, int perDatasetTest)
    {
        string full = Path.Combine(dir, "llmrouter-full.jsonl");
        LlmRouterImporter.Import(TestData.RequireShared("llmrouter"), full);
        Benchmark benchmark = BenchmarkReader.Read(full);
        var subset = benchmark.Records
            .GroupBy(r => (r.Dataset, r.Split))
            .OrderBy(g => g.Key.Dataset, StringComparer.Ordinal).ThenBy(g => g.Key.Split, StringComparer.Ordinal)
            .SelectMany(g => g.Take(g.Key.Split == "train" ? perDatasetTrain : perDatasetTest))
            .ToList();
        string path = Path.Combine(dir, "llmrouter-subset.jsonl");
        BenchmarkWriter.Write(path, subset);
        return path;
    }

    [Fact]
    public async Task Runs_end_to_end_on_real_embeddings_and_reports_sane_baselines()
    {
        string dir = TestData.TempDir();
        Benchmark benchmark = BenchmarkReader.Read(LlmRouterSubset(dir, perDatasetTrain: 20, perDatasetTest: 8));
        var options = new ExperimentOptions
        {
            Models = BenchmarkCatalog.LlmRouter.Pool,
            References = ["llama-3.1-nemotron-51b-instruct"],
            Calibration = new CalibrationOptions { K = 8 },
        };
        using EmbeddingStack stack = await EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse("minilm"), Path.Combine(dir, "cache.sqlite"));
        var (result, calibrated) = await Experiment.RunAsync(benchmark, stack.Generator, stack.ModelId, options);

        Assert.Equal("file", result.Setup.Split);
        Assert.Equal(80, result.Setup.TestItems);                       // 10 datasets x 8
        Assert.Equal(8, calibrated.Artifact.Manifest.Clustering.K);
        Assert.Equal(6, calibrated.Artifact.Manifest.Selected.Count);
        foreach (double value in new[] { result.Avengers.Accuracy, result.BestSingle.Accuracy, result.Random.Accuracy, result.Oracle.Accuracy })
            Assert.InRange(value, 0, 1);
        Assert.True(result.Oracle.Accuracy >= result.Avengers.Accuracy);
        Assert.All(result.Models.Values, v => Assert.True(v <= result.Oracle.Accuracy + 1e-12));
        Assert.True(result.Avengers.Accuracy > result.Random.Accuracy, $"avengers {result.Avengers.Accuracy:F3} vs random {result.Random.Accuracy:F3}");
        Assert.Contains("llama-3.1-nemotron-51b-instruct", result.References.Keys);
        Assert.DoesNotContain("llama-3.1-nemotron-51b-instruct", calibrated.Artifact.Manifest.Models);
        Assert.Equal(10, result.Avengers.PerDataset.Count);

        // Same seed, warm cache: the same numbers, and no text reaches the model again.
        int misses = ((CachingEmbeddingGenerator)stack.Generator).Misses;
        Assert.True(misses > 0);
        var (again, calibratedAgain) = await Experiment.RunAsync(benchmark, stack.Generator, stack.ModelId, options);
        Assert.Equal(result.Avengers.Accuracy, again.Avengers.Accuracy);
        Assert.Equal(calibrated.Artifact.Manifest.Clustering.Inertia, calibratedAgain.Artifact.Manifest.Clustering.Inertia);
        Assert.Equal(misses, ((CachingEmbeddingGenerator)stack.Generator).Misses);
    }

    [Fact]
    public async Task Voting_over_recorded_texts_on_mmlu_pro_subset()
    {
        string dir = TestData.TempDir();
        // 300 questions (ordered by id) keep the embedding step short.
        Benchmark benchmark = BenchmarkReader.Read(TestData.MmluProSubset(dir, ["Meta-Llama-3_1-8B-Instruct", "Qwen1.5-7B-Chat", "Phi-3-mini-4k-instruct"], take: 300));

        using EmbeddingStack stack = await EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse("minilm"), Path.Combine(dir, "cache.sqlite"));
        var vote = new ExperimentOptions { Calibration = new CalibrationOptions { K = 4, Strategy = EnsembleStrategy.Vote, TopN = 3 } };
        var (result, _) = await Experiment.RunAsync(benchmark, stack.Generator, stack.ModelId, vote);
        Assert.Equal("seeded", result.Setup.Split);
        Assert.True(result.VoteFallbacks < result.Setup.TestItems / 10, $"{result.VoteFallbacks} fallbacks: texts carry answers");
        Assert.InRange(result.Avengers.Accuracy, 0, result.Oracle.Accuracy);

        Assert.Equal(("vote", 3), (result.Setup.Strategy, result.Setup.TopN));
    }
}
