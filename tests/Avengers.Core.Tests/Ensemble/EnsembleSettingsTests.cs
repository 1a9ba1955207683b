using Avengers.Ensemble;
using Avengers.Voting;
using Avengers.Routing;

namespace Avengers.Tests.Ensemble;

/// <summary>One settings record: the artifact's policy, then the YAML's layer, then the request's, with one set of ranges.</summary>
public sealed class EnsembleSettingsTests
{
    [Fact]
    public void Every_setting_out_of_range_is_listed_by_its_wire_name()
    {
        IReadOnlyList<string> problems = new SettingsOverrides
        {
            Samples = 65,
            TopN = 0,
            TopK = 0,
            Temperature = float.NaN,
            SwitchThreshold = 1.5,
            Alpha = -0.1,
        }.Problems();

        Assert.Equal(["n:", "top_n:", "top_k:", "temperature:", "switch_threshold:", "alpha:"], problems.Select(p => p[..(p.IndexOf(':') + 1)]));
        Assert.Empty(new SettingsOverrides { Samples = 64, TopN = 64, TopK = 3, Temperature = 0, SwitchThreshold = 1, Alpha = 0 }.Problems());
    }

    [Fact]
    public void Merged_options_are_checked_by_the_same_rules()
    {
        var error = Assert.Throws<ArgumentException>(() => new EnsembleSettings().With(new SettingsOverrides { TopN = 65 }));
        Assert.Contains("top_n: must lie in [1, 64] (got 65)", error.Message);
    }

    [Fact]
    public void A_layer_keeps_what_it_leaves_null_and_a_named_strategy_drops_the_policy()
    {
        var policy = new EnsemblePolicy { Strategy = "switch", TopN = 4, TopK = 3, SwitchThreshold = 0.6, WeightedVote = true };
        EnsembleSettings artifact = EnsembleSettings.From(policy);
        EnsembleSettings yaml = artifact.With(new SettingsOverrides { Samples = 5 });

        Assert.Equal((EnsembleStrategy.Switch, 4, 3, 0.6, 5), (yaml.Strategy, yaml.TopN, yaml.Routing.TopK, yaml.SwitchThreshold, yaml.Samples));
        Assert.Same(policy, yaml.Policy);
        Assert.Equal(EnsembleSettings.DefaultTemperature, yaml.Temperature);

        EnsembleSettings request = yaml.With(new SettingsOverrides { Strategy = EnsembleStrategy.Vote });
        Assert.Equal((EnsembleStrategy.Vote, 4, 5), (request.Strategy, request.TopN, request.Samples));
        Assert.Null(request.Policy);
    }
}
