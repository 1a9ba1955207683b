namespace Avengers.Voting;

/// <summary>Which sample a strategy returned, and why.</summary>
/// <param name="Model">Model of the chosen sample.</param>
/// <param name="SampleIndex">Index of the chosen sample within that model's samples.</param>
/// <param name="Vote">The vote behind the choice (null for direct or when no sample could vote).</param>
/// <param name="ModelsUsed">How many ranked models contributed samples.</param>
/// <param name="SamplesUsed">How many samples were consulted.</param>
/// <param name="Note">Why the strategy fell back, when it did.</param>
public sealed record VoteOutcome(string Model, int SampleIndex, VoteResult? Vote, int ModelsUsed, int SamplesUsed, string? Note = null);
