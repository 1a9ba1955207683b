using Avengers.Voting;

namespace Avengers.Tests.Voting;

public class EnsembleDeciderTests
{
    private static readonly SampleSet Top = new("top", ["A", "B", "B", "C"]);
    private static readonly SampleSet Second = new("second", ["A", "A", "A"]);

    [Fact]
    public void Direct_takes_the_top_models_first_sample()
    {
        EnsembleChoice choice = EnsembleDecider.Decide([Top, Second], new EnsembleOptions { Strategy = EnsembleStrategy.Direct });
        Assert.Equal(("top", 0), (choice.Model, choice.SampleIndex));
        Assert.Null(choice.Vote);
    }

    [Fact]
    public void Vote_with_top_n_1_is_self_consistency_of_the_top_model()
    {
        EnsembleChoice choice = EnsembleDecider.Decide([Top, Second], new EnsembleOptions { Strategy = EnsembleStrategy.Vote, TopN = 1 });
        Assert.Equal(("top", 1), (choice.Model, choice.SampleIndex));
        Assert.Equal("B", choice.Vote!.Winner);
        Assert.Equal(4, choice.SamplesUsed);
    }

    [Fact]
    public void Vote_over_two_models_pools_their_samples()
    {
        EnsembleChoice choice = EnsembleDecider.Decide([Top, Second], new EnsembleOptions { Strategy = EnsembleStrategy.Vote, TopN = 2 });
        Assert.Equal("A", choice.Vote!.Winner);           // 4 votes against 2
        Assert.Equal(("top", 0), (choice.Model, choice.SampleIndex)); // the top model also said A, first
        Assert.Equal(2, choice.ModelsUsed);
    }

    [Fact]
    public void Switch_consults_the_next_model_only_when_agreement_is_low()
    {
        var confident = new SampleSet("top", ["A", "A", "A", "A", "B"]); // 0.8 agreement
        EnsembleChoice kept = EnsembleDecider.Decide([confident, Second], new EnsembleOptions { Strategy = EnsembleStrategy.Switch, SwitchThreshold = 0.8 });
        Assert.Equal(1, kept.ModelsUsed);

        EnsembleChoice switched = EnsembleDecider.Decide([Top, Second], new EnsembleOptions { Strategy = EnsembleStrategy.Switch, SwitchThreshold = 0.8 });
        Assert.Equal(2, switched.ModelsUsed);
        Assert.Equal("A", switched.Vote!.Winner);
    }

    [Fact]
    public void Nothing_to_vote_on_falls_back_to_the_top_model_and_says_so()
    {
        EnsembleChoice choice = EnsembleDecider.Decide([new SampleSet("top", [null]), new SampleSet("next", [null])], new EnsembleOptions { TopN = 2 });
        Assert.Equal(("top", 0), (choice.Model, choice.SampleIndex));
        Assert.NotNull(choice.Note);
    }
}
