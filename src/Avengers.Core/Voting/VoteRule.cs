namespace Avengers.Voting;

/// <summary>How <see cref="EnsembleDecider"/> turns the ranked models' samples into one answer.</summary>
public sealed record VoteRule
{
    /// <summary>direct, vote or switch.</summary>
    public EnsembleStrategy Strategy { get; init; } = EnsembleStrategy.Vote;
    /// <summary>Models whose samples vote (vote strategy).</summary>
    public int TopN { get; init; } = EnsembleStrategies.DefaultTopN;
    /// <summary>Samples per model to use (null: all available).</summary>
    public int? SamplesPerModel { get; init; }
    /// <summary>Switch strategy: the top model's vote share below which the next model is asked.</summary>
    public double SwitchThreshold { get; init; } = EnsembleStrategies.DefaultSwitchThreshold;
    /// <summary>Weight each model's votes by its accuracy in the query's cluster instead of one vote per sample.</summary>
    public bool WeightByAccuracy { get; init; }
    /// <summary>
    /// Consume ballots in order (best-ranked model first) and stop once the leader cannot be overtaken by
    /// the ballots still to come: what adaptive voting saves when samples arrive one by one.
    /// </summary>
    public bool Adaptive { get; init; }
}
