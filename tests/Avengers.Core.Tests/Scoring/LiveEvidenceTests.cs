using Avengers.Scoring;

namespace Avengers.Tests.Scoring;

public class LiveEvidenceTests
{
    private static ClusterScores Scores() =>
        // 2 partitions x 2 clusters, 2 models; model 0 right on 8 of 10 items in cluster 0, model 1 on 2 of 10.
        new(["a", "b"], 4, [10, 10, 10, 10], [10, 10, 10, 10, 10, 10, 10, 10], [8, 2, 5, 5, 8, 2, 5, 5], priorStrength: 2);

    [Fact]
    public void A_judged_answer_counts_as_one_item_in_every_partition_spread_by_the_routing_weights()
    {
        var clock = new ManualClock();
        var live = new LiveEvidence(4, ["a", "b"], TimeSpan.FromHours(1), time: clock, clustersPerPartition: 2);
        Assert.False(live.Any);
        // Partition 0: clusters 0 and 1 weighted 0.3 / 0.2; partition 1: cluster 2 alone at 0.5.
        live.Add([(0, 0.3), (1, 0.2), (2, 0.5)], model: 0, outcome: 0);
        Assert.True(live.Any);
        Assert.Equal(0.6, live.Counts(0, 0).Answered, 6);
        Assert.Equal(0.4, live.Counts(1, 0).Answered, 6);
        Assert.Equal(1.0, live.Counts(2, 0).Answered, 6);
        Assert.Equal(0.0, live.Counts(2, 0).Correct, 6);
        Assert.Equal(0.0, live.Counts(0, 1).Answered, 6);
    }

    [Fact]
    public void Live_counts_join_the_calibrated_ones_under_the_same_prior_and_fade_by_half_life()
    {
        var clock = new ManualClock();
        ClusterScores scores = Scores();
        // The pooled rule alone (ten wrong answers against eight of ten right would be a change point: see below).
        var live = new LiveEvidence(4, scores.Models, TimeSpan.FromHours(1), time: clock, clustersPerPartition: 2, changePointZ: 0);
        double calibrated = scores[0, 0].Smoothed;
        for (int i = 0; i < 10; i++) live.Add([(0, 1)], model: 0, outcome: 0);
        double global = scores.GlobalAccuracy(0);
        Assert.Equal((8 + 0 + 2 * global) / (10 + 10 + 2), live.Smoothed(scores, 0, 0), 9);
        Assert.True(live.Smoothed(scores, 0, 0) < calibrated);
        clock.Now += TimeSpan.FromHours(1);
        Assert.Equal(5.0, live.Counts(0, 0).Answered, 6);              // half of it after one half-life
        clock.Now += TimeSpan.FromHours(20);
        Assert.Equal(calibrated, live.Smoothed(scores, 0, 0), 3);       // forgotten: back to calibration
    }

    [Fact]
    public void A_cap_bounds_what_one_cluster_and_model_can_hold()
    {
        var live = new LiveEvidence(4, ["a", "b"], TimeSpan.FromDays(1), capPerCell: 5, clustersPerPartition: 2);
        for (int i = 0; i < 100; i++) live.Add([(0, 1)], model: 1, outcome: 1);
        Assert.Equal(5.0, live.Counts(0, 1).Answered, 6);
        Assert.Equal(5.0, live.Counts(0, 1).Correct, 6);
    }
}

public class LiveEvidenceReplayTests
{
    [Fact]
    public void A_rating_replayed_with_its_time_counts_as_decayed_as_if_it_had_never_left_whatever_the_order()
    {
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var liveClock = new ManualClock(start);
        var live = new Avengers.Scoring.LiveEvidence(1, ["a"], TimeSpan.FromHours(1), time: liveClock);
        live.Add([(0, 1.0)], 0, 1.0);
        liveClock.Now = start.AddHours(1);
        live.Add([(0, 1.0)], 0, 0.0);
        liveClock.Now = start.AddHours(2);

        // The same two ratings replayed two hours later, newest first, with their times.
        var replayed = new Avengers.Scoring.LiveEvidence(1, ["a"], TimeSpan.FromHours(1), time: new ManualClock(start.AddHours(2)));
        replayed.Add([(0, 1.0)], 0, 0.0, start.AddHours(1));
        replayed.Add([(0, 1.0)], 0, 1.0, start);

        (double answered, double correct) = live.Counts(0, 0);
        Assert.Equal(0.25 + 0.5, answered, 9); // two hours and one hour old
        Assert.Equal(0.25, correct, 9);
        Assert.Equal(answered, replayed.Counts(0, 0).Answered, 9);
        Assert.Equal(correct, replayed.Counts(0, 0).Correct, 9);
    }
}

public class LiveEvidenceChangePointTests
{
    // One cluster, two models: "a" right on 90 of 100 calibration items, "b" on 60 of 100.
    private static Avengers.Scoring.ClusterScores Scores() => new(["a", "b"], 1, [100], [100, 100], [90, 60], priorStrength: 2);

    [Fact]
    public void Live_answers_that_contradict_the_calibration_beyond_chance_set_it_aside()
    {
        Avengers.Scoring.ClusterScores scores = Scores();
        var live = new Avengers.Scoring.LiveEvidence(1, ["a", "b"], TimeSpan.FromDays(3), changePointZ: 3);
        // Two wrong answers from a 90 % model: chance, the calibration stands.
        for (int i = 0; i < 2; i++) live.Add([(0, 1.0)], 0, 0.0);
        Assert.True(live.Smoothed(scores, 0, 0) > live.Smoothed(scores, 0, 1));
        // Six wrong in a row: about one chance in a million for a 90 % model; the model changed, and b ranks first now.
        for (int i = 0; i < 4; i++) live.Add([(0, 1.0)], 0, 0.0);
        Assert.True(live.Contradicts(scores[0, 0], 6, 0));
        Assert.True(live.Smoothed(scores, 0, 0) < live.Smoothed(scores, 0, 1));
    }

    [Fact]
    public void Live_answers_in_line_with_the_calibration_only_add_to_it()
    {
        Avengers.Scoring.ClusterScores scores = Scores();
        var live = new Avengers.Scoring.LiveEvidence(1, ["a", "b"], TimeSpan.FromDays(3), changePointZ: 3);
        for (int i = 0; i < 10; i++) live.Add([(0, 1.0)], 0, i < 9 ? 1.0 : 0.0); // 9 of 10, as calibrated
        Assert.False(live.Contradicts(scores[0, 0], 10, 9));
        Assert.Equal((90 + 9 + 2 * scores.GlobalAccuracy(0)) / (100 + 10 + 2), live.Smoothed(scores, 0, 0), 9);
    }

    [Fact]
    public void A_z_of_zero_the_default_turns_change_points_off()
    {
        var live = new Avengers.Scoring.LiveEvidence(1, ["a", "b"], TimeSpan.FromDays(3));
        Assert.False(live.Contradicts(Scores()[0, 0], 50, 0));
    }
}
