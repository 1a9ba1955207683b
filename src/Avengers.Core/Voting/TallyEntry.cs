namespace Avengers.Voting;

/// <summary>An answer, how many ballots it got, and their summed weight (equal to the count in a plain vote).</summary>
public readonly record struct TallyEntry(string Answer, int Votes, double Weight);
