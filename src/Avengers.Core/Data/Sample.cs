namespace Avengers.Data;

/// <summary>One recorded response of a model to a query.</summary>
/// <param name="Text">The full response text, when recorded.</param>
/// <param name="Answer">The already extracted answer, when recorded.</param>
/// <param name="Score">Correctness in [0, 1], when recorded; it takes precedence over grading.</param>
public sealed record Sample(string? Text = null, string? Answer = null, double? Score = null)
{
    /// <summary>Prompt tokens the call consumed, when recorded (e.g. by <c>collect</c>).</summary>
    public long? InputTokens { get; init; }
    /// <summary>Completion tokens of this sample, when recorded.</summary>
    public long? OutputTokens { get; init; }
    /// <summary>How long the call took, in milliseconds, when recorded.</summary>
    public double? LatencyMs { get; init; }
    /// <summary>Why generation stopped (stop, length, ...), when recorded.</summary>
    public string? FinishReason { get; init; }
    /// <summary>Why the sample failed for good (a failed sample has no text; it never votes and is not graded).</summary>
    public string? Error { get; init; }
}
