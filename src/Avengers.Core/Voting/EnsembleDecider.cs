namespace Avengers.Voting;

/// <summary>
/// Applies a strategy to samples already in hand (recorded outputs or gathered live), ranked models
/// first. Pure: no I/O, deterministic.
/// </summary>
public static class EnsembleDecider
{
    /// <param name="ranked">Sample sets of the ranked models, best first. Must not be empty.</param>
    public static VoteOutcome Decide(IReadOnlyList<SampleSet> ranked, VoteRule rule)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(rule);
        if (ranked.Count == 0) throw new ArgumentException("no ranked models to decide among", nameof(ranked));

        switch (rule.Strategy)
        {
            case EnsembleStrategy.Direct:
                return new VoteOutcome(ranked[0].Model, 0, null, 1, Math.Min(1, ranked[0].Answers.Count));
            case EnsembleStrategy.Switch:
                {
                    VoteOutcome first = VoteOver(ranked, 1, rule);
                    if (ranked.Count == 1 || first.Vote is { } vote && !VoteTally.CallsForNextModel(vote, rule.SwitchThreshold)) return first;
                    return VoteOver(ranked, 2, rule);
                }
            default:
                return VoteOver(ranked, Math.Max(1, rule.TopN), rule);
        }
    }

    private static VoteOutcome VoteOver(IReadOnlyList<SampleSet> ranked, int models, VoteRule rule)
    {
        models = Math.Min(models, ranked.Count);
        List<Ballot> ballots = [];
        for (int rank = 0; rank < models; rank++)
        {
            IReadOnlyList<string?> answers = ranked[rank].Answers;
            int take = Math.Min(answers.Count, rule.SamplesPerModel ?? int.MaxValue);
            for (int s = 0; s < take; s++) ballots.Add(new Ballot(answers[s], rank, s, rule.WeightByAccuracy ? ranked[rank].Weight : 1.0));
        }
        // Ballots in order, best-ranked model first; an adaptive vote stops once the leader cannot be overtaken.
        var tally = new VoteTally();
        double outstanding = ballots.Sum(b => b.Weight);
        foreach (Ballot ballot in ballots)
        {
            tally.Add(ballot);
            outstanding -= ballot.Weight;
            if (rule.Adaptive && tally.IsDecided(outstanding)) break;
        }
        VoteResult vote = tally.Result();
        if (vote.Winner is null)
            return new VoteOutcome(ranked[0].Model, 0, vote, models, tally.Ballots, "no sample had an extractable answer: the top model's first sample is returned");
        Ballot winner = ballots[vote.WinningBallot];
        return new VoteOutcome(ranked[winner.ModelRank].Model, winner.SampleIndex, vote, models, tally.Ballots);
    }
}
