using System.Text.RegularExpressions;

namespace Avengers.Answers;

/// <summary>
/// Multiple choice: the letter a response concludes with. Strongest signals first. Within one reader, the first
/// statement that closes a paragraph wins: models often conclude ("The answer is (E).") and then ramble on into made-up
/// follow-up questions or "combined" answers. When no statement closes a paragraph, the last one wins (a model that
/// corrects itself mid-paragraph).
/// </summary>
internal static partial class ChoiceReaders
{
    public static readonly IReadOnlyList<AnswerReader> All =
    [
        Stated("answer_is", "\"the answer is (C)\", \"The correct answer is: **B**\": the phrase chain-of-thought prompts ask for (MMLU-Pro, AGIEval)", AnswerIsChoice()),
        Stated("answer_colon", "\"Answer: D\", \"**Answer:** (A) 42 meters\": a labelled answer line", AnswerColonChoice()),
        Stated("boxed_letter", "\"$\\boxed{D}$\": math-tuned models box a letter too", BoxedChoice()),
        Stated("best_option", "\"The best option is B\", \"Correct option: B\"", OptionChoice()),
        Stated("option_is_correct", "\"Option B is correct.\" (a capital letter: \"option a student could take is best\" is prose)", OptionIsCorrect()),
        Stated("chosen_in_parentheses", "\"The correct description is (E).\": a parenthesised capital after a verb of choosing", IsParenthesizedChoice()),
        Stated("hash_letter", "\"#### B\", as GSM8K-style prompts end an answer", HashChoice()),
        Stated("closing_parenthesized", "\"Paris is the capital of France. (B)\": a response that ends with its letter in parentheses", FinalParenthesizedChoice()),
        new("bare_letter", "\"C\", \"(C)\", \"C.\", \"C) Paris\", \"**C**\": a response that is only its answer (few-shot and base models)",
            (text, context) => AnswerForms.ChoiceLetter(text.Trim(), context.ChoiceCount)),
    ];

    /// <summary>
    /// True when the response states a choice letter outright: the "answer is (B)" or "Answer: B" forms, or a line that
    /// is a letter alone. What the answer-type detector counts (the weaker forms, a boxed letter among them, could be math).
    /// </summary>
    public static bool StatesALetter(string text)
    {
        if (AnswerIsChoice().IsMatch(text) || AnswerColonChoice().IsMatch(text)) return true;
        foreach (var span in text.AsSpan().EnumerateLines())
        {
            // The whole line, not its start: "A. London" in a list of options is no answer.
            ReadOnlySpan<char> trimmed = span.Trim();
            if (trimmed.Length is 0 or > 8) continue;
            string line = trimmed.ToString();
            if (AnswerForms.BareChoice().Match(line) is { Success: true } letter && line[letter.Length..].Trim().Length == 0) return true;
        }
        return false;
    }

    private static AnswerReader Stated(string name, string reason, Regex pattern) => new(name, reason, (text, context) => Concluding(pattern, text, context.ChoiceCount));

    private static string? Concluding(Regex pattern, string text, int choiceCount)
    {
        MatchCollection matches = pattern.Matches(text);
        if (matches.Count == 0) return null;
        foreach (Match match in matches)
        {
            if (!ClosesParagraph().IsMatch(text.AsSpan(match.Index + match.Length))) continue;
            if (AnswerForms.ValidLetter(match.Groups["l"].Value, choiceCount) is string letter) return letter;
        }
        for (int i = matches.Count - 1; i >= 0; i--)
            if (AnswerForms.ValidLetter(matches[i].Groups["l"].Value, choiceCount) is string letter) return letter;
        return null;
    }

    // What may follow a concluding statement: a short rest of its line (AnswerLimits.ConcludingLineRest) without another answer, then a blank line or the end.
    [GeneratedRegex(@"^(?:(?!answer)[^\n]){0,80}?(?:\n\s*\n|\s*$)", RegexOptions.IgnoreCase)]
    private static partial Regex ClosesParagraph();

    [GeneratedRegex(@"answer\s+is\s*:?\s*(?:option\s+)?[\(\[\*]*\s*(?<l>[A-Za-z])\s*[\)\]\*]*(?![A-Za-z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerIsChoice();

    [GeneratedRegex(@"answer\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(?:option\s+)?[\(\[\*]*\s*(?<l>[A-Za-z])\s*[\)\]\*]*(?![A-Za-z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerColonChoice();

    [GeneratedRegex(@"\\boxed\{\s*(?:\\text\{)?\s*\(?(?<l>[A-Za-z])\)?\s*\}?\s*\}")]
    private static partial Regex BoxedChoice();

    [GeneratedRegex(@"(?:correct|best|right)\s+(?:option|choice)(?:\s+is\s*:?|\s*:)\s*[\(\[\*]*(?<l>[A-Za-z])(?![A-Za-z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex OptionChoice();

    [GeneratedRegex(@"\b(?i:option|choice)\s+\(?(?<l>[A-Z])\)?\s+is\s+(?i:the\s+)?(?i:correct|right|best)\b")]
    private static partial Regex OptionIsCorrect();

    [GeneratedRegex(@"\b(?:is|are|be|choose|select|option|choice)\s*:?\s*\((?<l>[A-Z])\)")]
    private static partial Regex IsParenthesizedChoice();

    [GeneratedRegex(@"####\s*[\(\[\*]*(?<l>[A-Z])[\)\]\*]*(?![A-Za-z0-9])")]
    private static partial Regex HashChoice();

    [GeneratedRegex(@"\((?<l>[A-Z])\)[\s\.\*]*$")]
    private static partial Regex FinalParenthesizedChoice();
}
