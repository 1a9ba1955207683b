using Avengers.Calibration;
using Avengers.Clustering;
using Avengers.Ensemble;
using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Voting;
using Microsoft.Extensions.AI;
using Avengers.Answers;

namespace Avengers.Tests.Ensemble;

/// <summary>A dataset's grading rule travels in the artifact: the live ensemble reads answers in its clusters by it, as calibration did.</summary>
public class LiveGradingRuleTests
{
    private static readonly GradingRule Rule = new() { Regex = "RESULT<<(?<answer>.*?)>>" };

    private static RouterArtifact Calibrate()
    {
        const int d = 8;
        var data = new List<float>();
        var truth = new List<int>();
        var random = new Random(7);
        for (int i = 0; i < 40; i++)
        {
            var v = new float[d];
            v[i % 2] = 1;
            for (int t = 0; t < d; t++) v[t] += 0.05f * TestData.Gaussian(random);
            TestData.Normalize(v);
            data.AddRange(v);
            truth.Add(i % 2);
        }
        var points = new VectorSet([.. data], d);
        string[] models = ["alpha", "beta"];
        var correctness = new CorrectnessMatrix(models, points.Count);
        for (int i = 0; i < points.Count; i++) { correctness[i, 0] = truth[i] == 0 ? 1 : 0; correctness[i, 1] = truth[i] == 1 ? 1 : 0; }
        // The first topic's dataset is read by the rule, the second's by the answer type's defaults.
        var samples = new CalibrationSamples(
            Enumerable.Range(0, points.Count).Select(_ => new string?[]?[] { ["x"], ["x"] }).ToArray(),
            Enumerable.Range(0, points.Count).Select(i => new double?[]?[] { [correctness[i, 0]], [correctness[i, 1]] }).ToArray(),
            Enumerable.Repeat(4, points.Count).ToArray(),
            Enumerable.Repeat(AnswerType.Exact, points.Count).ToArray(),
            truth.Select(t => t == 0 ? Rule with { } : null).ToArray());
        var options = new CalibrationOptions { K = 2, Partitions = 1, Strategy = EnsembleStrategy.Vote, TopN = 1, TopK = 1, WeightedVote = false };
        return Calibrator.Calibrate(points, correctness, options, new RouterManifest.EmbeddingInfo("keyword", d),
            new RouterManifest.DataInfo("planted", "00", points.Count, 0), samples: samples).Artifact;
    }

    [Fact]
    public async Task The_live_vote_reads_answers_by_the_rule_of_the_querys_clusters()
    {
        RouterArtifact artifact = Calibrate();
        Assert.Equal([Rule], artifact.Manifest.GradingRules!);

        // Saved and loaded: the rule and its clusters survive the round trip.
        string path = Path.Combine(TestData.TempDir(), "rules.avengers");
        artifact.Save(path);
        RouterArtifact loaded = RouterArtifact.Load(path);
        Assert.Equal(artifact.Manifest.ClusterGradingRules!, loaded.Manifest.ClusterGradingRules!);
        Assert.Equal(Rule, loaded.Manifest.GradingRules![0]);

        // Three samples say "y" in prose but x by the rule's marker; two say x in prose and z by the marker.
        string[] script = ["RESULT<<x>> so the answer is y.", "RESULT<<x>> so the answer is y.", "RESULT<<x>> so the answer is y.", "RESULT<<z>> so the answer is x.", "RESULT<<z>> so the answer is x."];
        var alpha = new ScriptedChatClient("alpha", i => script[i % script.Length]);
        var beta = new ScriptedChatClient("beta", i => script[i % script.Length]);
        var mathVector = new float[8]; mathVector[0] = 1;
        var otherVector = new float[8]; otherVector[1] = 1;
        var client = new EnsembleChatClient(new Dictionary<string, IChatClient> { ["alpha"] = alpha, ["beta"] = beta }, new ClusterRouter(loaded),
            new KeywordEmbedder(mathVector, otherVector), new EnsembleSettings { Samples = 5, Adaptive = false });

        EnsembleDecision ruled = Decision(await client.GetResponseAsync([new ChatMessage(ChatRole.User, "a math question")]));
        Assert.Equal(("alpha", "x"), (ruled.ChosenModel, ruled.Winner));

        EnsembleDecision plain = Decision(await client.GetResponseAsync([new ChatMessage(ChatRole.User, "another question")]));
        Assert.Equal(("beta", "y"), (plain.ChosenModel, plain.Winner));
    }

    private static EnsembleDecision Decision(ChatResponse response) => Assert.IsType<EnsembleDecision>(response.AdditionalProperties![SettingsOverrides.Key]);
}
