namespace Avengers.Voting;

/// <summary>One sample's vote.</summary>
/// <param name="Answer">The normalised answer, or null when none could be extracted (abstains).</param>
/// <param name="ModelRank">0 for the routed model, 1 for the next, ...: ties go to the lower rank.</param>
/// <param name="SampleIndex">Order of the sample within its model: ties then go to the earlier sample.</param>
public readonly record struct Ballot(string? Answer, int ModelRank, int SampleIndex);
