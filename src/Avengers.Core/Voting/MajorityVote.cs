namespace Avengers.Voting;

/// <summary>
/// Majority over normalised answers, each ballot counting its weight (1 in a plain vote). Empty
/// answers never vote. Ties go to the answer whose best ballot comes from the higher-ranked model,
/// then from the earlier sample.
/// </summary>
public static class MajorityVote
{
    /// <summary>Tallies ballots: the answer with the most (weighted) votes wins; ties go to the earliest ranked.</summary>
    public static VoteResult Count(IReadOnlyList<Ballot> ballots)
    {
        ArgumentNullException.ThrowIfNull(ballots);
        var groups = new Dictionary<string, (int Votes, double Weight, int Best)>(StringComparer.Ordinal);
        int abstained = 0;
        for (int i = 0; i < ballots.Count; i++)
        {
            string? answer = ballots[i].Answer;
            if (string.IsNullOrEmpty(answer)) { abstained++; continue; }
            if (groups.TryGetValue(answer, out var group))
                groups[answer] = (group.Votes + 1, group.Weight + ballots[i].Weight, Precedes(ballots[i], ballots[group.Best]) ? i : group.Best);
            else groups[answer] = (1, ballots[i].Weight, i);
        }
        if (groups.Count == 0) return new VoteResult(null, -1, [], abstained);

        var ordered = groups.OrderByDescending(g => g.Value.Weight)
            .ThenBy(g => ballots[g.Value.Best].ModelRank)
            .ThenBy(g => ballots[g.Value.Best].SampleIndex)
            .ThenBy(g => g.Value.Best)
            .ToList();
        return new VoteResult(ordered[0].Key, ordered[0].Value.Best, ordered.Select(g => new TallyEntry(g.Key, g.Value.Votes, g.Value.Weight)).ToList(), abstained);
    }

    private static bool Precedes(Ballot a, Ballot b)
        => a.ModelRank != b.ModelRank ? a.ModelRank < b.ModelRank : a.SampleIndex < b.SampleIndex;
}
