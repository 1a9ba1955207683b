namespace Avengers.Voting;

/// <summary>The outcome of a vote.</summary>
/// <param name="Winner">The winning answer, or null when every ballot abstained.</param>
/// <param name="WinningBallot">Index (into the ballots given) of the ballot that represents the winner: the best-ranked, earliest one.</param>
/// <param name="Tally">Answers by votes, best first (same order as the tie-break).</param>
/// <param name="Abstained">Ballots without an answer.</param>
public sealed record VoteResult(string? Winner, int WinningBallot, IReadOnlyList<TallyEntry> Tally, int Abstained)
{
    /// <summary>Ballots that carried an answer.</summary>
    public int Voters => Tally.Sum(t => t.Votes);

    /// <summary>Winner's share of the ballots that voted (0 when none did).</summary>
    public double Agreement => Voters == 0 ? 0 : (double)Tally[0].Votes / Voters;
}
