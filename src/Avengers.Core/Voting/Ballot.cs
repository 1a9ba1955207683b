namespace Avengers.Voting;

/// <summary>One sample's vote.</summary>
/// <param name="Answer">The normalised answer, or null when none could be extracted (abstains).</param>
/// <param name="ModelRank">0 for the routed model, 1 for the next, ...: ties go to the lower rank.</param>
/// <param name="SampleIndex">Order of the sample within its model: ties then go to the earlier sample.</param>
/// <param name="Weight">How much the ballot counts (1 for a plain majority; a model's accuracy for a weighted vote).</param>
public readonly record struct Ballot(string? Answer, int ModelRank, int SampleIndex, double Weight = 1.0);
