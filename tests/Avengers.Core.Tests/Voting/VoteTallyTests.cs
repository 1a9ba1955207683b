using Avengers.Voting;

namespace Avengers.Tests.Voting;

public class VoteTallyTests
{
    [Fact]
    public void Majority_wins_and_is_represented_by_its_best_ranked_earliest_ballot()
    {
        Ballot[] ballots = [new("A", 0, 0), new("B", 0, 1), new("B", 1, 0), new("B", 0, 2), new(null, 0, 3)];
        VoteResult result = VoteTally.Count(ballots);
        Assert.Equal("B", result.Winner);
        Assert.Equal(1, result.WinningBallot);
        Assert.Equal(1, result.Abstained);
        Assert.Equal([new TallyEntry("B", 3, 3.0), new TallyEntry("A", 1, 1.0)], result.Tally);
        Assert.Equal(0.75, result.Agreement, 12);
    }

    [Fact]
    public void Tie_goes_to_the_higher_ranked_model()
    {
        Ballot[] ballots = [new("X", 1, 0), new("Y", 0, 1), new("X", 1, 1), new("Y", 2, 0)];
        Assert.Equal("Y", VoteTally.Count(ballots).Winner);
    }

    [Fact]
    public void Tie_within_a_model_goes_to_the_earlier_sample()
    {
        Ballot[] ballots = [new("late", 0, 3), new("early", 0, 1)];
        VoteResult result = VoteTally.Count(ballots);
        Assert.Equal("early", result.Winner);
        Assert.Equal(1, result.WinningBallot);
    }

    [Fact]
    public void Empty_answers_never_vote()
    {
        Ballot[] ballots = [new("", 0, 0), new(null, 0, 1), new("", 0, 2), new("Z", 3, 0)];
        VoteResult result = VoteTally.Count(ballots);
        Assert.Equal("Z", result.Winner);
        Assert.Equal(3, result.Abstained);
        Assert.Equal(1, result.Voters);
    }

    [Fact]
    public void All_abstaining_gives_no_winner()
    {
        VoteResult result = VoteTally.Count([new(null, 0, 0)]);
        Assert.Null(result.Winner);
        Assert.Equal(-1, result.WinningBallot);
        Assert.Equal(0, result.Agreement);
    }

    [Fact]
    public void Weighted_ballots_let_accurate_models_outvote_a_crowd()
    {
        Ballot[] ballots = [new("A", 0, 0, 0.9), new("B", 1, 0, 0.3), new("B", 2, 0, 0.3), new("C", 3, 0, 0.2)];
        VoteResult result = VoteTally.Count(ballots);
        Assert.Equal("A", result.Winner);
        Assert.Equal(0.9, result.Tally[0].Weight, 12);
        Assert.Equal("B", VoteTally.Count(ballots.Select(b => b with { Weight = 1 }).ToList()).Winner);
    }
}

public class VoteTallyRulesTests
{
    [Fact]
    public void Counting_as_ballots_arrive_gives_the_vote_of_the_whole_list()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            var ballots = Enumerable.Range(0, random.Next(1, 12))
                .Select(i => new Ballot(random.Next(5) == 0 ? null : ((char)('a' + random.Next(3))).ToString(), random.Next(3), i, random.Next(1, 4) / 2.0)).ToList();
            var tally = new VoteTally();
            foreach (Ballot ballot in ballots) tally.Add(ballot);
            VoteResult whole = VoteTally.Count(ballots), incremental = tally.Result();
            Assert.Equal(whole.Winner, incremental.Winner);
            Assert.Equal(whole.WinningBallot, incremental.WinningBallot);
            Assert.Equal(whole.Tally, incremental.Tally);
            // Decided with nothing outstanding exactly when the leader's weight is strictly above the runner-up's.
            bool strict = whole.Tally.Count == 1 || whole.Tally.Count > 1 && whole.Tally[0].Weight > whole.Tally[1].Weight + 1e-12;
            Assert.Equal(whole.Tally.Count > 0 && strict, tally.IsDecided(0));
        }
    }

    [Theory]
    [InlineData(new[] { "a", "a", "a", "b" }, 0.8, true)]   // 0.75 agreement
    [InlineData(new[] { "a", "a", "a", "a" }, 0.8, false)]
    [InlineData(new string[0], 0.8, true)]                    // every sample failed or abstained
    public void The_model_switch_rule_asks_the_next_model_below_the_threshold(string[] answers, double threshold, bool next)
        => Assert.Equal(next, VoteTally.CallsForNextModel(VoteTally.Count([.. answers.Select((a, i) => new Ballot(a, 0, i))]), threshold));
}
