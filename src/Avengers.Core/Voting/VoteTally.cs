namespace Avengers.Voting;

/// <summary>
/// A vote counted as ballots arrive, with the one stopping rule both the offline decider and the live gateway use:
/// the vote is decided once the leader's weight exceeds the runner-up's plus every weight still to come (outstanding
/// samples count at full weight: whether they will abstain is not known in advance). Weights are 1 for a plain
/// majority, the models' log-odds for a weighted vote, so the two stop at the same point for the same weights.
/// </summary>
public sealed class VoteTally
{
    private readonly Dictionary<string, double> _weights = new(StringComparer.Ordinal);
    private double _leader, _runnerUp;

    /// <summary>Counts one ballot (an abstention, a null answer, counts nothing).</summary>
    public void Add(string? answer, double weight)
    {
        if (answer is null) return;
        double total = _weights.GetValueOrDefault(answer) + weight;
        _weights[answer] = total;
        // The two largest totals, kept as ballots arrive (a total only grows).
        var top = _weights.Values.OrderDescending().Take(2).ToArray();
        _leader = top[0];
        _runnerUp = top.Length > 1 ? top[1] : 0;
    }

    /// <summary>True when no ballots of <paramref name="outstandingWeight"/> in all could change the leader.</summary>
    public bool IsDecided(double outstandingWeight) => _weights.Count > 0 && _leader > _runnerUp + outstandingWeight + 1e-12;
}
