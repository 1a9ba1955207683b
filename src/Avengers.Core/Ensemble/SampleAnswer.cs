namespace Avengers.Ensemble;

/// <summary>One sample of a decision: which model answered and the answer read from its response.</summary>
public sealed record SampleAnswer(string Model, string? Answer);
