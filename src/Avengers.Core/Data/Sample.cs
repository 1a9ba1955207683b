namespace Avengers.Data;

/// <summary>One recorded response of a model to a query.</summary>
/// <param name="Text">The full response text, when recorded.</param>
/// <param name="Answer">The already extracted answer, when recorded.</param>
/// <param name="Score">Correctness in [0, 1], when recorded; it takes precedence over grading.</param>
public sealed record Sample(string? Text = null, string? Answer = null, double? Score = null);
