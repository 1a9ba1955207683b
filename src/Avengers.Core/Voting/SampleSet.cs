namespace Avengers.Voting;

/// <summary>The normalised answers of one model's samples (null where nothing could be extracted).</summary>
/// <param name="Weight">The weight of each of its votes in an accuracy-weighted vote (its routing score).</param>
public sealed record SampleSet(string Model, IReadOnlyList<string?> Answers, double Weight = 1.0);
