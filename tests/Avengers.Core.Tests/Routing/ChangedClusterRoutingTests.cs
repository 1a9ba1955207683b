using Avengers.Clustering;
using Avengers.Routing;
using Avengers.Scoring;

namespace Avengers.Tests.Routing;

public class ChangedClusterRoutingTests
{
    /// <summary>Five partitions of one cluster each (every query matches all five, 0.2 each); "a" right 75 of 100 everywhere, "b" 60.</summary>
    private static RouterArtifact Artifact()
    {
        string[] models = ["a", "b"];
        var scores = new ClusterScores(models, 5, [100, 100, 100, 100, 100], [.. Enumerable.Repeat(100, 10)], [75, 60, 75, 60, 75, 60, 75, 60, 75, 60], priorStrength: 2);
        var manifest = new RouterManifest
        {
            Embedding = new("test", 2),
            Clustering = new("kmeans", 1, 1, 1, 0, Partitions: 5),
            Data = new("x", "", 100, 0),
            Scoring = new(2),
            Models = models,
            Selected = models,
            Defaults = new("vote", 1, 1, 6, 0.8),
        };
        return new RouterArtifact(manifest, new VectorSet([1f, 0f, 1f, 0f, 1f, 0f, 1f, 0f, 1f, 0f], 2), scores);
    }

    [Fact]
    public void Clusters_where_a_model_was_found_changed_weigh_half_of_its_score()
    {
        RouterArtifact artifact = Artifact();
        var live = new LiveEvidence(5, artifact.Scores.Models, TimeSpan.FromHours(10), time: new ManualClock(), clustersPerPartition: 1,
            calibrated: artifact.Scores);
        var router = new ClusterRouter(artifact) { Live = live };
        Assert.Equal("a", router.Route([1f, 0f]).Models[0].Model);

        // "a" answers wrong in partition 0's cluster only (as a query routed there alone would be rated) until found changed.
        int wrong = 0;
        while (!live.Changed(0, 0) && wrong < 50)
        {
            live.Add([(0, 1.0)], 0, 0.0);
            wrong++;
        }
        Assert.True(live.Changed(0, 0));
        Assert.False(live.Changed(1, 0));
        RoutingDecision decision = router.Route([1f, 0f]);
        double changed = live.Smoothed(artifact.Scores, 0, 0), unchanged = artifact.Scores[1, 0].Smoothed;
        // A fifth of the routing weight, but half of the score: the four partitions that did not see it do not outvote it.
        Assert.Equal(0.5 * changed + 0.5 * unchanged, decision.Models.Single(m => m.Model == "a").Score, 9);
        Assert.Equal("b", decision.Models[0].Model);
        // Blended by routing weight alone, "a" would still rank first.
        Assert.True(0.2 * changed + 0.8 * unchanged > artifact.Scores[0, 1].Smoothed);
    }

    [Fact]
    public void A_model_found_changed_as_a_whole_ranks_below_the_others_and_the_decision_shows_its_scale()
    {
        RouterArtifact artifact = Artifact();
        var live = new LiveEvidence(5, artifact.Scores.Models, TimeSpan.FromHours(10), time: new ManualClock(), clustersPerPartition: 1,
            calibrated: artifact.Scores);
        var router = new ClusterRouter(artifact) { Live = live };
        Assert.Null(router.Route([1f, 0f]).Models[0].CalibrationScale);
        (int, double)[] everywhere = [(0, 0.2), (1, 0.2), (2, 0.2), (3, 0.2), (4, 0.2)];
        int wrong = 0;
        while (!live.ModelChanged(0) && wrong < 50)
        {
            live.Add(everywhere, 0, 0.0);
            wrong++;
        }
        Assert.True(live.ModelChanged(0));
        RoutingDecision decision = router.Route([1f, 0f]);
        Assert.Equal("b", decision.Models[0].Model);
        RankedModel a = decision.Models.Single(m => m.Model == "a");
        Assert.Equal(live.ModelScale(0), a.CalibrationScale);
        Assert.InRange(a.CalibrationScale!.Value, 0.01, 0.5);
        Assert.Null(decision.Models.Single(m => m.Model == "b").CalibrationScale);
    }
}
