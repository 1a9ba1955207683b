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
        var live = new LiveEvidence(4, scores.Models, TimeSpan.FromHours(1), time: clock, clustersPerPartition: 2);
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

public class LiveEvidenceChangeDetectionTests
{
    // One cluster, two models: "a" right on 90 of 100 calibration items, "b" on 60 of 100.
    private static ClusterScores Scores() => new(["a", "b"], 1, [100], [100, 100], [90, 60], priorStrength: 2);

    private static LiveEvidence Live(ClusterScores scores, ManualClock clock, double threshold = LiveEvidence.DefaultChangeThreshold)
        => new(1, scores.Models, TimeSpan.FromHours(10), time: clock, calibrated: scores, changeThreshold: threshold);

    [Fact]
    public void A_model_that_starts_answering_wrong_is_found_changed_within_a_few_ratings_and_loses_its_rank()
    {
        ClusterScores scores = Scores();
        LiveEvidence live = Live(scores, new ManualClock());
        var found = new List<(int, string)>();
        live.ChangeDetected += (cluster, model) => found.Add((cluster, model));
        // A long good history first (one wrong in ten, as calibrated): it must not hide the fall.
        for (int i = 0; i < 200; i++) live.Add([(0, 1.0)], 0, i % 10 == 5 ? 0.0 : 1.0);
        Assert.False(live.Changed(0, 0));
        Assert.True(live.Smoothed(scores, 0, 0) > live.Smoothed(scores, 0, 1));

        live.Add([(0, 1.0)], 0, 0.0);
        live.Add([(0, 1.0)], 0, 0.0);
        Assert.False(live.Changed(0, 0)); // two in a row happen by chance at 90 %
        int wrong = 2;
        while (!live.Changed(0, 0) && wrong < 20)
        {
            live.Add([(0, 1.0)], 0, 0.0);
            wrong++;
        }
        Assert.InRange(wrong, 3, 6);
        Assert.Equal([(0, "a")], found);
        // Scored by the ratings since the fall alone, under the prior: b ranks first now.
        Assert.Equal((0 + 2 * scores.GlobalAccuracy(0)) / (wrong + 2), live.Smoothed(scores, 0, 0), 9);
        Assert.True(live.Smoothed(scores, 0, 0) < live.Smoothed(scores, 0, 1));
        Assert.False(live.Changed(0, 1));
    }

    [Fact]
    public void The_calibration_comes_back_with_the_half_life_and_the_detector_watches_again()
    {
        ClusterScores scores = Scores();
        var clock = new ManualClock();
        LiveEvidence live = Live(scores, clock, threshold: 2);
        int found = 0;
        live.ChangeDetected += (_, _) => found++;
        for (int i = 0; i < 3; i++) live.Add([(0, 1.0)], 0, 0.0);
        Assert.True(live.Changed(0, 0));
        // One half-life later half of the calibration counts again, as do half of the three wrong answers.
        clock.Now += TimeSpan.FromHours(10);
        Assert.Equal((45 + 0 + 2 * scores.GlobalAccuracy(0)) / (50 + 1.5 + 2), live.Smoothed(scores, 0, 0), 9);
        Assert.True(live.Changed(0, 0));
        // Past 90 % restored it is no longer held changed, and a new fall is found again.
        clock.Now += TimeSpan.FromHours(30);
        Assert.False(live.Changed(0, 0));
        for (int i = 0; i < 3; i++) live.Add([(0, 1.0)], 0, 0.0);
        Assert.True(live.Changed(0, 0));
        Assert.Equal(2, found);
    }

    [Fact]
    public void Models_answering_as_calibrated_are_rarely_found_changed_even_in_a_busy_cell()
    {
        ClusterScores scores = Scores();
        var random = new Random(42);
        // 100 cells of each model rated 2,000 times at its calibrated accuracy: at the default threshold, which also rises
        // with the evidence a cell holds, few cross it by chance.
        int Alarms(int model, double accuracy, double threshold)
        {
            int alarms = 0;
            for (int trial = 0; trial < 100; trial++)
            {
                LiveEvidence live = Live(scores, new ManualClock(), threshold);
                for (int i = 0; i < 2_000 && !live.Changed(0, model); i++) live.Add([(0, 1.0)], model, random.NextDouble() < accuracy ? 1 : 0);
                if (live.Changed(0, model)) alarms++;
            }
            return alarms;
        }
        Assert.InRange(Alarms(0, 0.9, LiveEvidence.DefaultChangeThreshold), 0, 12);
        Assert.InRange(Alarms(1, 0.6, LiveEvidence.DefaultChangeThreshold), 0, 12);
        // The sensitive setting pays for its speed: several times as many.
        Assert.InRange(Alarms(1, 0.6, 2), 12, 60);
    }

    [Fact]
    public void A_quiet_cell_reacts_after_fewer_wrong_answers_than_a_busy_one()
    {
        ClusterScores scores = Scores();
        int WrongUntilFound(int history)
        {
            LiveEvidence live = Live(scores, new ManualClock());
            for (int i = 0; i < history; i++) live.Add([(0, 1.0)], 1, i % 5 < 3 ? 1.0 : 0.0); // 60 %, as calibrated
            Assert.False(live.Changed(0, 1));
            int wrong = 0;
            while (!live.Changed(0, 1) && wrong < 100)
            {
                live.Add([(0, 1.0)], 1, 0.0);
                wrong++;
            }
            return wrong;
        }
        int quiet = WrongUntilFound(0), busy = WrongUntilFound(2_000);
        Assert.InRange(quiet, 6, 10);
        Assert.True(busy > 2 * quiet, $"a cell holding 2,000 ratings should need far more wrong answers in a row than a new one ({busy} against {quiet})");
    }

    [Fact]
    public void Off_at_zero_and_without_calibrated_scores()
    {
        ClusterScores scores = Scores();
        var clock = new ManualClock();
        var byDefault = new LiveEvidence(1, scores.Models, TimeSpan.FromHours(10), time: clock, calibrated: scores, changeThreshold: 0);
        var blind = new LiveEvidence(1, scores.Models, TimeSpan.FromHours(10), time: clock, changeThreshold: 2);
        for (int i = 0; i < 50; i++)
        {
            byDefault.Add([(0, 1.0)], 0, 0.0);
            blind.Add([(0, 1.0)], 0, 0.0);
        }
        Assert.False(byDefault.Changed(0, 0));
        Assert.False(blind.Changed(0, 0));
        Assert.Equal((90 + 0 + 2 * scores.GlobalAccuracy(0)) / (100 + 50 + 2), byDefault.Smoothed(scores, 0, 0), 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => Live(scores, clock, threshold: -1));
    }
}
