namespace Avengers.Answers;

/// <summary>An answer read from a response, and the reader that found it (null when none did).</summary>
public readonly record struct ReadAnswer(string? Answer, string? Reader)
{
    /// <summary>No reader found an answer.</summary>
    public static ReadAnswer None => default;
}
