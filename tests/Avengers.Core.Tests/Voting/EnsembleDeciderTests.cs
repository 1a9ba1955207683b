using Avengers.Voting;

namespace Avengers.Tests.Voting;

public class EnsembleDeciderTests
{
    private static readonly SampleSet Top = new("top", ["A", "B", "B", "C"]);
    private static readonly SampleSet Second = new("second", ["A", "A", "A"]);

    [Fact]
    public void Direct_takes_the_top_models_first_sample()
    {
        VoteOutcome choice = EnsembleDecider.Decide([Top, Second], new VoteRule { Strategy = EnsembleStrategy.Direct });
        Assert.Equal(("top", 0), (choice.Model, choice.SampleIndex));
        Assert.Null(choice.Vote);
    }

    [Fact]
    public void Vote_with_top_n_1_is_self_consistency_of_the_top_model()
    {
        VoteOutcome choice = EnsembleDecider.Decide([Top, Second], new VoteRule { Strategy = EnsembleStrategy.Vote, TopN = 1 });
        Assert.Equal(("top", 1), (choice.Model, choice.SampleIndex));
        Assert.Equal("B", choice.Vote!.Winner);
        Assert.Equal(4, choice.SamplesUsed);
    }

    [Fact]
    public void Vote_over_two_models_pools_their_samples()
    {
        VoteOutcome choice = EnsembleDecider.Decide([Top, Second], new VoteRule { Strategy = EnsembleStrategy.Vote, TopN = 2 });
        Assert.Equal("A", choice.Vote!.Winner);           // 4 votes against 2
        Assert.Equal(("top", 0), (choice.Model, choice.SampleIndex)); // the top model also said A, first
        Assert.Equal(2, choice.ModelsUsed);
    }

    [Fact]
    public void Switch_consults_the_next_model_only_when_agreement_is_low()
    {
        var confident = new SampleSet("top", ["A", "A", "A", "A", "B"]); // 0.8 agreement
        VoteOutcome kept = EnsembleDecider.Decide([confident, Second], new VoteRule { Strategy = EnsembleStrategy.Switch, SwitchThreshold = 0.8 });
        Assert.Equal(1, kept.ModelsUsed);

        VoteOutcome switched = EnsembleDecider.Decide([Top, Second], new VoteRule { Strategy = EnsembleStrategy.Switch, SwitchThreshold = 0.8 });
        Assert.Equal(2, switched.ModelsUsed);
        Assert.Equal("A", switched.Vote!.Winner);
    }

    [Fact]
    public void Nothing_to_vote_on_falls_back_to_the_top_model_and_says_so()
    {
        VoteOutcome choice = EnsembleDecider.Decide([new SampleSet("top", [null]), new SampleSet("next", [null])], new VoteRule { TopN = 2 });
        Assert.Equal(("top", 0), (choice.Model, choice.SampleIndex));
        Assert.NotNull(choice.Note);
    }
}

public class AdaptiveDeciderTests
{
    [Fact]
    public void Adaptive_vote_stops_when_the_leader_cannot_be_overtaken()
    {
        var ranked = new[] { new SampleSet("a", ["X"]), new SampleSet("b", ["X"]), new SampleSet("c", ["Y"]), new SampleSet("d", ["Y"]) };
        VoteOutcome fixedN = EnsembleDecider.Decide(ranked, new VoteRule { TopN = 4 });
        VoteOutcome adaptive = EnsembleDecider.Decide(ranked, new VoteRule { TopN = 4, Adaptive = true });
        Assert.Equal(4, fixedN.SamplesUsed);
        Assert.Equal(4, adaptive.SamplesUsed); // 2 : 0 with 2 to come is not decided; 2 : 2 is a tie
        Assert.Equal(fixedN.Vote!.Winner, adaptive.Vote!.Winner);

        var clear = new[] { new SampleSet("a", ["X"]), new SampleSet("b", ["X"]), new SampleSet("c", ["X"]), new SampleSet("d", ["Y"]), new SampleSet("e", ["Y"]) };
        VoteOutcome early = EnsembleDecider.Decide(clear, new VoteRule { TopN = 5, Adaptive = true });
        Assert.Equal(3, early.SamplesUsed); // 3 : 0 with 2 to come
        Assert.Equal("X", early.Vote!.Winner);
    }
}
