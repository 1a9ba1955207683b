using System.Text.RegularExpressions;

namespace Avengers.Answers;

// Multiple choice: the letter a response concludes with.
public static partial class AnswerExtractor
{
    private static string? ExtractChoice(string text, int choiceCount)
    {
        char last = choiceCount is > 0 and <= 26 ? (char)('A' + choiceCount - 1) : 'Z';
        string? Valid(string letter)
        {
            char c = char.ToUpperInvariant(letter[0]);
            return c >= 'A' && c <= last ? c.ToString() : null;
        }

        // Strongest signals first. Within one kind, the first statement that closes a paragraph wins:
        // models often conclude ("The answer is (E).") and then ramble on into made-up follow-up
        // questions or "combined" answers. When no statement closes a paragraph, the last one wins
        // (a model that corrects itself mid-paragraph).
        foreach (Regex pattern in ChoicePatterns)
        {
            MatchCollection matches = pattern.Matches(text);
            if (matches.Count == 0) continue;
            foreach (Match match in matches)
            {
                if (!ClosesParagraph().IsMatch(text.AsSpan(match.Index + match.Length))) continue;
                string? letter = Valid(match.Groups["l"].Value);
                if (letter is not null) return letter;
            }
            for (int i = matches.Count - 1; i >= 0; i--)
            {
                string? letter = Valid(matches[i].Groups["l"].Value);
                if (letter is not null) return letter;
            }
        }
        // A bare answer: "C", "(C)", "C.", "C) text", "**C**".
        Match bare = BareChoice().Match(text.Trim());
        if (bare.Success) return Valid(bare.Groups["l"].Value);
        return null;
    }

    private static string? ChoiceLetter(string answer, int choiceCount)
    {
        Match bare = BareChoice().Match(answer);
        if (!bare.Success) return null;
        char c = char.ToUpperInvariant(bare.Groups["l"].Value[0]);
        char last = choiceCount is > 0 and <= 26 ? (char)('A' + choiceCount - 1) : 'Z';
        return c <= last ? c.ToString() : null;
    }

    private static readonly Regex[] ChoicePatterns =
    [
        AnswerIsChoice(),
        AnswerColonChoice(),
        BoxedChoice(),
        OptionChoice(),
        OptionIsCorrect(),
        IsParenthesizedChoice(),
        HashChoice(),
        FinalParenthesizedChoice(),
    ];

    // "#### B", as GSM8K-style prompts end an answer.
    [GeneratedRegex(@"####\s*[\(\[\*]*(?<l>[A-Z])[\)\]\*]*(?![A-Za-z0-9])")]
    private static partial Regex HashChoice();

    // A response that ends with its letter in parentheses: "Paris is the capital of France. (B)".
    [GeneratedRegex(@"\((?<l>[A-Z])\)[\s\.\*]*$")]
    private static partial Regex FinalParenthesizedChoice();

    // What may follow a concluding statement: a short rest of its line without another answer, then a blank line or the end.
    [GeneratedRegex(@"^(?:(?!answer)[^\n]){0,80}?(?:\n\s*\n|\s*$)", RegexOptions.IgnoreCase)]
    private static partial Regex ClosesParagraph();

    // "The correct description is (E)." and similar: a parenthesised capital after a verb of choosing.
    [GeneratedRegex(@"\b(?:is|are|be|choose|select|option|choice)\s*:?\s*\((?<l>[A-Z])\)")]
    private static partial Regex IsParenthesizedChoice();

    [GeneratedRegex(@"answer\s+is\s*:?\s*(?:option\s+)?[\(\[\*]*\s*(?<l>[A-Za-z])\s*[\)\]\*]*(?![A-Za-z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerIsChoice();

    [GeneratedRegex(@"answer\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(?:option\s+)?[\(\[\*]*\s*(?<l>[A-Za-z])\s*[\)\]\*]*(?![A-Za-z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerColonChoice();

    [GeneratedRegex(@"\\boxed\{\s*(?:\\text\{)?\s*\(?(?<l>[A-Za-z])\)?\s*\}?\s*\}")]
    private static partial Regex BoxedChoice();

    [GeneratedRegex(@"(?:correct|best|right)\s+(?:option|choice)(?:\s+is\s*:?|\s*:)\s*[\(\[\*]*(?<l>[A-Za-z])(?![A-Za-z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex OptionChoice();

    // "Option B is correct." (a capital letter: "option a student could take is best" is prose).
    [GeneratedRegex(@"\b(?i:option|choice)\s+\(?(?<l>[A-Z])\)?\s+is\s+(?i:the\s+)?(?i:correct|right|best)\b")]
    private static partial Regex OptionIsCorrect();

    // A lone capital letter counts only when delimited ("C", "(C)", "C.", "C)", "**C**"): "A lot of ..." is prose.
    [GeneratedRegex(@"^[\*\s]*(?:\((?<l>[A-Z])\)|\[(?<l>[A-Z])\]|(?<l>[A-Z])(?:[\)\.:]|\*\*))(?:\s|$)|^[\*\s]*(?<l>[A-Z])\s*$", RegexOptions.None)]
    private static partial Regex BareChoice();
}
