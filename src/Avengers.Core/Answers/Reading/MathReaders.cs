using System.Text.RegularExpressions;

namespace Avengers.Answers;

/// <summary>Math: boxed, "####" and stated results, normalised by <see cref="MathNormalizer"/>.</summary>
internal static partial class MathReaders
{
    public static readonly IReadOnlyList<AnswerReader> All =
    [
        new("boxed", "\"\\boxed{42}\": competition math (MATH, Minerva) and most math-tuned models", (text, _) => MathNormalizer.LastBoxed(text) is string boxed ? MathNormalizer.Normalize(boxed) : null),
        new("hash", "\"#### 72\": GSM8K's own answer line, which few-shot prompts teach", (text, _) => StatedPhrases.HashAnswer().Match(text) is { Success: true } m ? MathNormalizer.Normalize(m.Groups["a"].Value) : null),
        new("answer_is", "\"The answer is 18 apples, which ...\", \"Final Answer: The final answer is $10$. I hope it is correct.\": the stated value, prose after it dropped", (text, _) => Stated(text)),
        new("last_number", "the last number in the response: the common last resort for GSM8K-style answers", (text, _) => LastNumber().Matches(text) is { Count: > 0 } numbers ? MathNormalizer.Normalize(numbers[^1].Value) : null),
    ];

    private static string? Stated(string text)
    {
        string? phrase = StatedPhrases.FinalAnswer(text);
        if (phrase is null) return null;
        phrase = phrase.Replace("**", "", StringComparison.Ordinal).TrimStart('#', ' ');
        phrase = AndBetweenNumbers().Replace(phrase, ", "); // "2 and 3" lists two solutions
        string? normalized = MathNormalizer.Normalize(phrase);
        // "The answer is 18 apples, which is what she has left.": the value is what comes before the prose.
        if (normalized is not null && ProseInAnswer().IsMatch(normalized) && (HeadBeforeProse(phrase) ?? OnlyNumber(phrase)) is string head)
            normalized = MathNormalizer.Normalize(head) ?? normalized;
        return normalized;
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

    [GeneratedRegex(@"-?\d[\d,]*(?:\.\d+)?(?:/\d+)?")]
    private static partial Regex LastNumber();
}
