namespace Avengers.Voting;

/// <summary>Settings of <see cref="EnsembleDecider"/>.</summary>
public sealed record EnsembleOptions
{
    /// <summary>direct, vote or switch.</summary>
    public EnsembleStrategy Strategy { get; init; } = EnsembleStrategy.Vote;
    /// <summary>Models whose samples vote (vote strategy).</summary>
    public int TopN { get; init; } = 1;
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

/// <summary>
/// Applies a strategy to samples already in hand (recorded outputs or gathered live), ranked models
/// first. Pure: no I/O, deterministic.
/// </summary>
public static class EnsembleDecider
{
    /// <param name="ranked">Sample sets of the ranked models, best first. Must not be empty.</param>
    public static EnsembleChoice Decide(IReadOnlyList<SampleSet> ranked, EnsembleOptions options)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(options);
        if (ranked.Count == 0) throw new ArgumentException("no ranked models to decide among", nameof(ranked));

        switch (options.Strategy)
        {
            case EnsembleStrategy.Direct:
                return new EnsembleChoice(ranked[0].Model, 0, null, 1, Math.Min(1, ranked[0].Answers.Count));
            case EnsembleStrategy.Switch:
            {
                EnsembleChoice first = VoteOver(ranked, 1, options);
                if (first.Vote is { Voters: > 0 } vote && vote.Agreement >= options.SwitchThreshold || ranked.Count == 1) return first;
                return VoteOver(ranked, 2, options);
            }
            default:
                return VoteOver(ranked, Math.Max(1, options.TopN), options);
        }
    }

    /// <summary>The shortest prefix of the ballots after which the leader (by weight) can no longer be overtaken.</summary>
    private static List<Ballot> Decisive(List<Ballot> ballots, List<(int Model, int Sample)> origin)
    {
        var tally = new VoteTally();
        double remaining = ballots.Sum(b => b.Weight);
        for (int i = 0; i < ballots.Count; i++)
        {
            remaining -= ballots[i].Weight;
            tally.Add(ballots[i].Answer, ballots[i].Weight);
            if (tally.IsDecided(remaining))
            {
                origin.RemoveRange(i + 1, origin.Count - i - 1);
                return ballots[..(i + 1)];
            }
        }
        return ballots;
    }

    private static EnsembleChoice VoteOver(IReadOnlyList<SampleSet> ranked, int models, EnsembleOptions options)
    {
        models = Math.Min(models, ranked.Count);
        List<Ballot> ballots = [];
        var origin = new List<(int Model, int Sample)>();
        for (int rank = 0; rank < models; rank++)
        {
            IReadOnlyList<string?> answers = ranked[rank].Answers;
            int take = Math.Min(answers.Count, options.SamplesPerModel ?? int.MaxValue);
            for (int s = 0; s < take; s++)
            {
                ballots.Add(new Ballot(answers[s], rank, s, options.WeightByAccuracy ? ranked[rank].Weight : 1.0));
                origin.Add((rank, s));
            }
        }
        if (options.Adaptive) ballots = Decisive(ballots, origin);
        VoteResult vote = MajorityVote.Count(ballots);
        if (vote.Winner is null)
            return new EnsembleChoice(ranked[0].Model, 0, vote, models, ballots.Count, "no sample had an extractable answer: the top model's first sample is returned");
        (int model, int sample) = origin[vote.WinningBallot];
        return new EnsembleChoice(ranked[model].Model, sample, vote, models, ballots.Count);
    }
}
