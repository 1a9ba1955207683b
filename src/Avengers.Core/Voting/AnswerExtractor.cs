using System.Text.RegularExpressions;
using Avengers.Data;

namespace Avengers.Voting;

/// <summary>
/// Pulls the final answer out of a model's response and normalises it so that equal answers compare
/// equal. Returns null when no answer can be found: such a sample never votes.
/// </summary>
public static partial class AnswerExtractor
{
    /// <summary>Extracts and normalises the answer of <paramref name="text"/> for a query of <paramref name="type"/>.</summary>
    /// <param name="choices">The options of a choice or label query, when known (limits letters, maps label text).</param>
    public static string? Extract(string? text, AnswerType type, IReadOnlyList<string>? choices = null)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return type switch
        {
            AnswerType.Choice => ExtractChoice(text, choices?.Count ?? 0),
            AnswerType.Math => ExtractMath(text),
            AnswerType.Exact => NormalizeExact(FinalAnswerPhrase(text) ?? text),
            AnswerType.Label => ExtractLabel(text, choices),
            AnswerType.Code => NormalizeCode(text),
            _ => null,
        };
    }

    /// <summary>Normalises an answer that was recorded already extracted (the sample's <c>answer</c> field).</summary>
    public static string? Normalize(string? answer, AnswerType type, IReadOnlyList<string>? choices = null)
    {
        if (string.IsNullOrWhiteSpace(answer)) return null;
        return type switch
        {
            AnswerType.Choice => ChoiceLetter(answer.Trim(), choices?.Count ?? 0) ?? ExtractChoice(answer, choices?.Count ?? 0),
            AnswerType.Math => MathNormalizer.Normalize(answer),
            AnswerType.Exact => NormalizeExact(answer),
            AnswerType.Label => MapLabel(answer, choices) ?? NormalizeExact(answer),
            AnswerType.Code => NormalizeCode(answer),
            _ => NormalizeExact(answer),
        };
    }

    // ---- multiple choice ----

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
        IsParenthesizedChoice(),
    ];

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

    [GeneratedRegex(@"(?:correct|best|right)\s+(?:option|choice)\s+is\s*:?\s*[\(\[\*]*(?<l>[A-Za-z])(?![A-Za-z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex OptionChoice();

    // A lone capital letter counts only when delimited ("C", "(C)", "C.", "C)", "**C**"): "A lot of ..." is prose.
    [GeneratedRegex(@"^[\*\s]*(?:\((?<l>[A-Z])\)|\[(?<l>[A-Z])\]|(?<l>[A-Z])(?:[\)\.:]|\*\*))(?:\s|$)|^[\*\s]*(?<l>[A-Z])\s*$", RegexOptions.None)]
    private static partial Regex BareChoice();

    // ---- math ----

    private static string? ExtractMath(string text)
    {
        string? boxed = MathNormalizer.LastBoxed(text);
        if (boxed is not null) return MathNormalizer.Normalize(boxed);

        Match hashes = HashAnswer().Match(text);
        if (hashes.Success) return MathNormalizer.Normalize(hashes.Groups["a"].Value);

        Match json = JsonAnswer().Match(text);
        if (json.Success) return MathNormalizer.Normalize(json.Groups["a"].Value);

        string? phrase = FinalAnswerPhrase(text);
        if (phrase is not null)
        {
            string? normalized = MathNormalizer.Normalize(phrase);
            if (normalized is not null) return normalized;
        }

        // Last resort, as common for GSM8K-style answers: the last number in the text.
        MatchCollection numbers = LastNumber().Matches(text);
        return numbers.Count == 0 ? null : MathNormalizer.Normalize(numbers[^1].Value);
    }

    /// <summary>The text after the last "the answer is" / "Answer:", up to the end of its sentence.</summary>
    private static string? FinalAnswerPhrase(string text)
    {
        MatchCollection matches = AnswerPhrase().Matches(text);
        if (matches.Count == 0) return null;
        string value = matches[^1].Groups["a"].Value.Trim().TrimEnd('.', ' ', '*').Trim();
        return value.Length == 0 ? null : value;
    }

    [GeneratedRegex(@"####\s*(?<a>[^\n]+)")]
    private static partial Regex HashAnswer();

    [GeneratedRegex(@"""answer""\s*:\s*""?(?<a>[^""\n,}]+)""?")]
    private static partial Regex JsonAnswer();

    [GeneratedRegex(@"(?:final\s+answer|the\s+answer)\s*(?:is|:)\s*:?\s*(?<a>[^\n]+?)(?:\.\s|\.$|\n|$)|^\s*(?:\*\*)?answer(?:\*\*)?\s*:\s*(?<a>[^\n]+?)\s*$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex AnswerPhrase();

    [GeneratedRegex(@"-?\d[\d,]*(?:\.\d+)?(?:/\d+)?")]
    private static partial Regex LastNumber();

    // ---- exact, label, code ----

    private static string? NormalizeExact(string text)
    {
        string collapsed = Whitespace().Replace(text.Trim(), " ").Trim().TrimEnd('.').Trim().Trim('"', '\'', '*').Trim();
        return collapsed.Length == 0 ? null : collapsed.ToLowerInvariant();
    }

    private static string? ExtractLabel(string text, IReadOnlyList<string>? labels)
    {
        string candidate = FinalAnswerPhrase(text) ?? text;
        string? mapped = MapLabel(candidate, labels);
        if (mapped is not null || labels is null || labels.Count == 0) return mapped ?? NormalizeExact(candidate);
        // Otherwise: the one label the text mentions, if exactly one.
        string lowered = text.ToLowerInvariant();
        string[] mentioned = labels.Select(l => l.Trim().ToLowerInvariant()).Distinct()
            .Where(l => l.Length > 0 && Regex.IsMatch(lowered, $@"(?<![\w]){Regex.Escape(l)}(?![\w])")).ToArray();
        return mentioned.Length == 1 ? mentioned[0] : null;
    }

    private static string? MapLabel(string answer, IReadOnlyList<string>? labels)
    {
        string? normalized = NormalizeExact(answer);
        if (normalized is null || labels is null) return normalized;
        foreach (string label in labels)
        {
            if (string.Equals(label.Trim(), normalized, StringComparison.OrdinalIgnoreCase)) return label.Trim().ToLowerInvariant();
        }
        return null;
    }

    private static string? NormalizeCode(string text)
    {
        Match fenced = CodeFence().Match(text);
        string code = fenced.Success ? fenced.Groups["c"].Value : text;
        var lines = code.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Trim().Length > 0);
        string joined = string.Join('\n', lines);
        return joined.Length == 0 ? null : joined;
    }

    [GeneratedRegex(@"```[\w+-]*\n(?<c>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeFence();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
