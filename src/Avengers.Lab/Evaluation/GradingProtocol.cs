namespace Avengers.Evaluation;

/// <summary>How a recorded response is graded when it carries no score of its own.</summary>
public enum GradingProtocol
{
    /// <summary>The answer this product extracts must equal the gold answer; a response without one is wrong.</summary>
    Strict,
    /// <summary>
    /// MMLU-Pro's published evaluation: its own regular expressions pick the letter, and when they find none
    /// the benchmark guesses a random letter. The guess is counted at its expected value, 1 / options,
    /// so results stay deterministic. Use it to compare with numbers computed the benchmark's way.
    /// </summary>
    MmluPro,
}
