using Avengers.Voting;

namespace Avengers.Tests.Voting;

public class MajorityVoteTests
{
    [Fact]
    public void Majority_wins_and_is_represented_by_its_best_ranked_earliest_ballot()
    {
        Ballot[] ballots = [new("A", 0, 0), new("B", 0, 1), new("B", 1, 0), new("B", 0, 2), new(null, 0, 3)];
        VoteResult result = MajorityVote.Count(ballots);
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
        Assert.Equal("Y", MajorityVote.Count(ballots).Winner);
    }

    [Fact]
    public void Tie_within_a_model_goes_to_the_earlier_sample()
    {
        Ballot[] ballots = [new("late", 0, 3), new("early", 0, 1)];
        VoteResult result = MajorityVote.Count(ballots);
        Assert.Equal("early", result.Winner);
        Assert.Equal(1, result.WinningBallot);
    }

    [Fact]
    public void Empty_answers_never_vote()
    {
        Ballot[] ballots = [new("", 0, 0), new(null, 0, 1), new("", 0, 2), new("Z", 3, 0)];
        VoteResult result = MajorityVote.Count(ballots);
        Assert.Equal("Z", result.Winner);
        Assert.Equal(3, result.Abstained);
        Assert.Equal(1, result.Voters);
    }

    [Fact]
    public void All_abstaining_gives_no_winner()
    {
        VoteResult result = MajorityVote.Count([new(null, 0, 0)]);
        Assert.Null(result.Winner);
        Assert.Equal(-1, result.WinningBallot);
        Assert.Equal(0, result.Agreement);
    }

    [Fact]
    public void Weighted_ballots_let_accurate_models_outvote_a_crowd()
    {
        Ballot[] ballots = [new("A", 0, 0, 0.9), new("B", 1, 0, 0.3), new("B", 2, 0, 0.3), new("C", 3, 0, 0.2)];
        VoteResult result = MajorityVote.Count(ballots);
        Assert.Equal("A", result.Winner);
        Assert.Equal(0.9, result.Tally[0].Weight, 12);
        Assert.Equal("B", MajorityVote.Count(ballots.Select(b => b with { Weight = 1 }).ToList()).Winner);
    }
}
