using System.Text.RegularExpressions;

namespace Avengers.Answers;

// Math: boxed, "####" and stated results, normalised by MathNormalizer.
public static partial class AnswerExtractor
{
    private static string? ExtractMath(string text)
    {
        string? boxed = MathNormalizer.LastBoxed(text);
        if (boxed is not null) return MathNormalizer.Normalize(boxed);

        Match hashes = HashAnswer().Match(text);
        if (hashes.Success) return MathNormalizer.Normalize(hashes.Groups["a"].Value);

        string? phrase = FinalAnswerPhrase(text);
        if (phrase is not null)
        {
            phrase = phrase.Replace("**", "", StringComparison.Ordinal).TrimStart('#', ' ');
            phrase = AndBetweenNumbers().Replace(phrase, ", "); // "2 and 3" lists two solutions
            string? normalized = MathNormalizer.Normalize(phrase);
            // "The answer is 18 apples, which is what she has left.": the value is what comes before the prose.
            if (normalized is not null && ProseInAnswer().IsMatch(normalized) && (HeadBeforeProse(phrase) ?? OnlyNumber(phrase)) is string head)
                normalized = MathNormalizer.Normalize(head) ?? normalized;
            if (normalized is not null) return normalized;
        }

        // Last resort, as common for GSM8K-style answers: the last number in the text.
        MatchCollection numbers = LastNumber().Matches(text);
        return numbers.Count == 0 ? null : MathNormalizer.Normalize(numbers[^1].Value);
    }

    /// <summary>The stated value before the first word of prose ("18" of "18 apples, which is ..."), when it holds a digit.</summary>
    private static string? HeadBeforeProse(string phrase)
    {
        Match word = ProseWordInPhrase().Match(phrase);
        if (!word.Success || word.Index == 0) return null;
        string head = phrase[..word.Index].TrimEnd(' ', '\t', ',', '(', ':', ';');
        return head.Any(char.IsAsciiDigit) ? head : null;
    }

    /// <summary>The one number of a phrase of words ("eight (8)"), else null.</summary>
    private static string? OnlyNumber(string phrase)
    {
        MatchCollection numbers = LastNumber().Matches(phrase);
        return numbers.Count == 1 ? numbers[0].Value : null;
    }

    // A word of two or more letters after a space, comma or parenthesis (LaTeX commands follow a backslash).
    [GeneratedRegex(@"(?<=[\s,(])[A-Za-z]{2,}(?![A-Za-z])")]
    private static partial Regex ProseWordInPhrase();

    // Three letters in a row that are not a LaTeX command: prose left in a normalised math answer.
    [GeneratedRegex(@"(?<![\\A-Za-z])[A-Za-z]{3,}")]
    private static partial Regex ProseInAnswer();

    [GeneratedRegex(@"(?<=\d)\s+(?:and|or)\s+(?=-?\d)")]
    private static partial Regex AndBetweenNumbers();
}
