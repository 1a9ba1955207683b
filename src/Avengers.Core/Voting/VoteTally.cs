namespace Avengers.Voting;

/// <summary>
/// The one vote: ballots counted as they arrive, with the rules every caller (the offline experiment, the policy search
/// and the live gateway) shares.
/// <list type="bullet">
/// <item>The count (<see cref="Result"/>): the answer with the most weight wins (weight 1 in a plain majority, the
/// models' log-odds in a weighted vote); empty answers abstain; ties go to the answer whose best ballot comes from the
/// higher-ranked model, then from the earlier sample.</item>
/// <item>The adaptive stop (<see cref="IsDecided"/>): the vote is decided once the leader's weight exceeds the
/// runner-up's plus every weight still to come (outstanding samples count at full weight: whether they will abstain is
/// not known in advance).</item>
/// <item>The model switch (<see cref="CallsForNextModel"/>): the top model's samples call for the next model when none
/// of them voted or their agreement is below the threshold.</item>
/// </list>
/// </summary>
public sealed class VoteTally
{
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);
    private readonly List<Ballot> _ballots = [];
    private int _abstained;
    private double _leader, _runnerUp;

    private sealed class Group(int best, double weight)
    {
        public int Votes = 1;
        public double Weight = weight;
        public int Best = best;
    }

    /// <summary>Ballots counted so far (abstentions included).</summary>
    public int Ballots => _ballots.Count;

    /// <summary>Counts one ballot (one without an answer abstains).</summary>
    public void Add(Ballot ballot)
    {
        int index = _ballots.Count;
        _ballots.Add(ballot);
        if (string.IsNullOrEmpty(ballot.Answer)) { _abstained++; return; }
        if (_groups.TryGetValue(ballot.Answer, out Group? group))
        {
            group.Votes++;
            group.Weight += ballot.Weight;
            if (Precedes(ballot, _ballots[group.Best])) group.Best = index;
        }
        else _groups[ballot.Answer] = group = new Group(index, ballot.Weight);
        // The two largest totals, kept as ballots arrive (a total only grows).
        if (group.Weight >= _leader)
        {
            double second = 0;
            foreach (Group other in _groups.Values) if (other != group && other.Weight > second) second = other.Weight;
            (_leader, _runnerUp) = (group.Weight, second);
        }
        else if (group.Weight > _runnerUp) _runnerUp = group.Weight;
    }

    /// <summary>True when no ballots of <paramref name="outstandingWeight"/> in all could change the leader.</summary>
    public bool IsDecided(double outstandingWeight) => _groups.Count > 0 && _leader > _runnerUp + outstandingWeight + 1e-12;

    /// <summary>The vote as it stands: the winner (null when every ballot abstained), its representative ballot and the tally.</summary>
    public VoteResult Result()
    {
        if (_groups.Count == 0) return new VoteResult(null, -1, [], _abstained);
        var ordered = _groups.OrderByDescending(g => g.Value.Weight)
            .ThenBy(g => _ballots[g.Value.Best].ModelRank)
            .ThenBy(g => _ballots[g.Value.Best].SampleIndex)
            .ThenBy(g => g.Value.Best)
            .ToList();
        return new VoteResult(ordered[0].Key, ordered[0].Value.Best, [.. ordered.Select(g => new TallyEntry(g.Key, g.Value.Votes, g.Value.Weight))], _abstained);
    }

    /// <summary>The vote over ballots already in hand.</summary>
    public static VoteResult Count(IReadOnlyList<Ballot> ballots)
    {
        ArgumentNullException.ThrowIfNull(ballots);
        var tally = new VoteTally();
        foreach (Ballot ballot in ballots) tally.Add(ballot);
        return tally.Result();
    }

    /// <summary>The model-switch rule: the top model's own vote calls for the next model when none of its samples voted or they agree less than <paramref name="threshold"/>.</summary>
    public static bool CallsForNextModel(VoteResult topModelVote, double threshold)
    {
        ArgumentNullException.ThrowIfNull(topModelVote);
        return topModelVote.Voters == 0 || topModelVote.Agreement < threshold;
    }

    private static bool Precedes(Ballot a, Ballot b)
        => a.ModelRank != b.ModelRank ? a.ModelRank < b.ModelRank : a.SampleIndex < b.SampleIndex;
}
