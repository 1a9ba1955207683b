using Avengers.Calibration;
using Avengers.Clustering;
using Avengers.Data;
using Avengers.Evaluation;
using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Tests.Evaluation;
using Avengers.Answers;

namespace Avengers.Tests.Routing;

public class CostAwareRoutingTests
{
    /// <summary>One cluster; "strong" is right 90% and costs 10, "cheap" right 60% and costs 1, "mid" 80% and 4.</summary>
    private static RouterArtifact Artifact()
    {
        string[] models = ["cheap", "mid", "strong"];
        var scores = new ClusterScores(models, 1, [10], [10, 10, 10], [6, 8, 9], priorStrength: 0);
        var costs = new ClusterCosts(1, 3, [1, 4, 10]);
        var manifest = new RouterManifest
        {
            Embedding = new("test", 2),
            Clustering = new("kmeans", 1, 1, 1, 0),
            Data = new("x", "", 10, 0),
            Scoring = new(0),
            Models = models,
            Selected = models,
            Defaults = new("vote", 1, 1, 6, 0.8),
        };
        return new RouterArtifact(manifest, new VectorSet([1f, 0f], 2), scores, costs);
    }

    [Theory]
    [InlineData(1.0, "strong")]   // accuracy only
    [InlineData(0.0, "cheap")]    // cost only
    [InlineData(0.5, "mid")]      // mid: 0.5 * 0.667 + 0.5 * 0.6 = 0.633 beats strong 0.5 and cheap 0.45
    public void Alpha_trades_accuracy_against_cost(double alpha, string expected)
    {
        var router = new ClusterRouter(Artifact());
        Assert.Equal(expected, router.Route([1f, 0f], new RoutingOptions { Alpha = alpha }).Models[0].Model);
    }

    [Fact]
    public void Costs_survive_the_artifact_round_trip()
    {
        string path = Path.Combine(TestData.TempDir(), "r.avengers");
        Artifact().Save(path);
        RouterArtifact loaded = RouterArtifact.Load(path);
        Assert.NotNull(loaded.Costs);
        Assert.Equal(4, loaded.Costs![0, 1]);
        Assert.Equal("cheap", new ClusterRouter(loaded).Route([1f, 0f], new RoutingOptions { Alpha = 0 }).Models[0].Model);
    }

    [Fact]
    public void Alpha_without_costs_is_a_clear_error()
    {
        RouterArtifact withCosts = Artifact();
        var bare = new RouterArtifact(withCosts.Manifest, withCosts.Centroids, withCosts.Scores);
        var error = Assert.Throws<ArgumentException>(() => new ClusterRouter(bare).Route([1f, 0f], new RoutingOptions { Alpha = 0.5 }));
        Assert.Contains("calibrated with prices", error.Message);
    }

    [Fact]
    public async Task Experiment_reports_costs_and_low_alpha_is_cheaper()
    {
        var records = new List<BenchmarkRecord>();
        for (int i = 0; i < 40; i++)
        {
            records.Add(new BenchmarkRecord
            {
                Id = $"{i:D2}",
                Dataset = "d",
                Query = $"question number {i} about topic {i % 2}",
                AnswerType = AnswerType.Choice,
                Gold = "A",
                Outputs = new Dictionary<string, IReadOnlyList<Sample>>
                {
                    ["pricey"] = [new Sample("a long and careful answer that ends with the answer is (A)")],
                    ["budget"] = [new Sample(i % 3 == 0 ? "The answer is (B)" : "The answer is (A)")],
                },
            });
        }
        string path = Path.Combine(TestData.TempDir(), "priced.jsonl");
        BenchmarkWriter.Write(path, records);
        Benchmark benchmark = BenchmarkReader.Read(path);
        var prices = new Dictionary<string, ModelPrice> { ["pricey"] = new(10, 30), ["budget"] = new(0.1, 0.1) };
        var embedder = new HashingEmbedder();
        var accurate = new ExperimentOptions { Prices = prices, Calibration = new CalibrationOptions { K = 1, TopN = 1, Alpha = 1 } };
        var thrifty = accurate with { Calibration = accurate.Calibration with { Alpha = 0 } };

        var (a, _) = await Experiment.RunAsync(benchmark, embedder, "hashing", accurate);
        var (t, _) = await Experiment.RunAsync(benchmark, embedder, "hashing", thrifty);

        Assert.NotNull(a.Costs);
        Assert.True(a.Costs!.Models["pricey"] > 50 * a.Costs.Models["budget"]);
        Assert.Equal(1.0, a.Avengers.Accuracy, 6);              // routes to the always-right pricey model
        Assert.True(t.Costs!.Avengers < a.Costs.Avengers / 50);  // alpha 0 routes to the budget model
        Assert.True(t.Avengers.Accuracy < a.Avengers.Accuracy);
    }

    [Fact]
    public async Task Score_only_data_pays_for_one_sample_per_query_not_for_votes_that_cannot_happen()
    {
        var records = new List<BenchmarkRecord>();
        for (int i = 0; i < 30; i++)
        {
            records.Add(new BenchmarkRecord
            {
                Id = $"{i:D2}",
                Dataset = "d",
                Query = $"question number {i}",
                Outputs = new Dictionary<string, IReadOnlyList<Sample>>
                {
                    ["a"] = [new Sample(Score: i % 2)],
                    ["b"] = [new Sample(Score: 1)],
                    ["c"] = [new Sample(Score: 0)],
                },
            });
        }
        string path = Path.Combine(TestData.TempDir(), "scores.jsonl");
        BenchmarkWriter.Write(path, records);
        var prices = new Dictionary<string, ModelPrice> { ["a"] = new(1, 1), ["b"] = new(1, 1), ["c"] = new(1, 1) };
        var options = new ExperimentOptions { Prices = prices, Calibration = new CalibrationOptions { K = 1, Strategy = Avengers.Voting.EnsembleStrategy.Vote, TopN = 3 } };

        var (result, _) = await Experiment.RunAsync(BenchmarkReader.Read(path), new HashingEmbedder(), "hashing", options);

        Assert.Equal(1.0, result.MeanSamplesUsed, 6);
        Assert.Equal(result.Costs!.BestSingle, result.Costs.Avengers, 9); // b, the best model, alone
        Assert.Equal(1.0, result.Avengers.Accuracy, 6);
        Assert.Contains(result.Notes, n => n.Contains("runs as direct", StringComparison.Ordinal));
    }
}
