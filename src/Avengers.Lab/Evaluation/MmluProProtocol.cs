using System.Text.RegularExpressions;
using Avengers.Data;

namespace Avengers.Evaluation;

/// <summary>The answer extraction of MMLU-Pro's evaluation script, as published with its results.</summary>
internal static partial class MmluProProtocol
{
    /// <summary>The letter the benchmark's script would read from <paramref name="text"/>, or null when it falls back to a guess.</summary>
    public static string? ExtractLetter(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        Match match = AnswerIs().Match(text);
        if (match.Success) return match.Groups[1].Value;
        match = AnswerColon().Match(text);
        if (match.Success) return match.Groups[1].Value;
        match = LastLetter().Match(text);
        return match.Success ? match.Value : null;
    }

    /// <summary>Correctness of a choice response: 1 or 0 when a letter is found, else the chance of a random guess.</summary>
    public static double Grade(BenchmarkRecord record, string? text, string gold)
    {
        string? letter = ExtractLetter(text);
        if (letter is not null) return string.Equals(letter, gold, StringComparison.Ordinal) ? 1 : 0;
        int options = record.Choices?.Count is int count && count > 0 ? count : 10;
        return 1.0 / options;
    }

    [GeneratedRegex(@"answer is \(?([A-J])\)?")]
    private static partial Regex AnswerIs();

    // Greedy on purpose, like the original: the last "Answer:" on the first line that has one.
    [GeneratedRegex(@".*[aA]nswer:\s*([A-J])")]
    private static partial Regex AnswerColon();

    [GeneratedRegex(@"\b[A-J]\b(?!.*\b[A-J]\b)", RegexOptions.Singleline)]
    private static partial Regex LastLetter();
}
