using System.Text.RegularExpressions;

namespace Avengers.Answers;

/// <summary>
/// Pulls the final answer out of a model's response and normalises it so that equal answers compare
/// equal. Returns null when no answer can be found: such a sample never votes.
/// </summary>
public static partial class AnswerExtractor
{
    /// <summary>Extracts and normalises the answer of <paramref name="text"/> for a query of <paramref name="type"/>.</summary>
    /// <param name="choices">The options of a choice or label query, when known (limits letters, maps label text).</param>
    /// <param name="rule">The dataset's grading rule, when it has one (a regex, a JSON field, case sensitivity).</param>
    public static string? Extract(string? text, AnswerType type, IReadOnlyList<string>? choices = null, GradingRule? rule = null)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (rule?.Pattern is Regex pattern)
        {
            // As lm-evaluation-harness's regex filters: the capture of the last match, or no answer.
            string? captured = rule.Capture(text);
            return captured is null ? null : Normalize(captured, type, choices, rule);
        }
        if (type is AnswerType.Math or AnswerType.Exact) text = WithoutContinuation(text);
        if (type != AnswerType.Text)
        {
            // An answer written as JSON ({"reasoning": "...", "answer": "..."}) is the model's own final statement.
            string? structured = StructuredAnswer.Find(text, rule?.JsonField);
            if (structured is not null)
            {
                // An exact answer given as a JSON string is that string (its spacing and a final full stop count).
                string? normalized = type == AnswerType.Exact ? NormalizeExact(structured, rule?.CaseSensitive == true, isString: true) : Normalize(structured, type, choices, rule);
                if (normalized is not null) return normalized;
            }
            else if (rule?.JsonField is not null) return null;
        }
        return type switch
        {
            AnswerType.Choice => ExtractChoice(text, choices?.Count ?? 0),
            AnswerType.Math => ExtractMath(text),
            AnswerType.Exact => ExtractExact(text, rule),
            AnswerType.Label => ExtractLabel(text, choices, rule),
            AnswerType.Code => NormalizeCode(text),
            _ => null,
        };
    }

    /// <summary>
    /// The response up to a made-up next exercise ("Question: ...", "Q: ...", "Problem: ..." on a line of its own) when
    /// an answer was stated before it: base models given few-shot prompts go on writing the next example, and that
    /// example's answer must not count.
    /// </summary>
    private static string WithoutContinuation(string text)
    {
        Match next = NextExercise().Match(text);
        if (!next.Success) return text;
        string before = text[..next.Index];
        return HashAnswer().IsMatch(before) || before.Contains("\\boxed", StringComparison.Ordinal) || AnswerPhrase().IsMatch(before) ? before : text;
    }

    [GeneratedRegex(@"\n[ \t]*(?:\*\*)?(?:Question|Q|Problem)(?:[ \t]+\d+)?(?:\*\*)?[ \t]*:")]
    private static partial Regex NextExercise();

    /// <summary>Normalises an answer that was recorded already extracted (the sample's <c>answer</c> field, or a gold answer).</summary>
    public static string? Normalize(string? answer, AnswerType type, IReadOnlyList<string>? choices = null, GradingRule? rule = null)
    {
        if (string.IsNullOrWhiteSpace(answer)) return null;
        bool caseSensitive = rule?.CaseSensitive == true;
        return type switch
        {
            AnswerType.Choice => ChoiceLetter(answer.Trim(), choices?.Count ?? 0) ?? ChoiceByText(answer, choices) ?? ExtractChoice(answer, choices?.Count ?? 0),
            AnswerType.Math => MathNormalizer.Normalize(answer.LastIndexOf("####", StringComparison.Ordinal) is int hashes and >= 0 ? answer[(hashes + 4)..] : answer),
            AnswerType.Exact => NormalizeExact(answer, caseSensitive),
            AnswerType.Label => MapLabel(answer, choices, caseSensitive) ?? NormalizePlain(answer, caseSensitive),
            AnswerType.Code => NormalizeCode(answer),
            _ => NormalizePlain(answer, caseSensitive),
        };
    }

    /// <summary>The letter of the option whose text the answer repeats ("Paris" for options [..., "Paris", ...]).</summary>
    private static string? ChoiceByText(string answer, IReadOnlyList<string>? choices)
    {
        if (choices is null || choices.Count is 0 or > 26) return null;
        string? wanted = NormalizePlain(answer, caseSensitive: false);
        for (int i = 0; i < choices.Count; i++)
            if (wanted is not null && string.Equals(NormalizePlain(choices[i], caseSensitive: false), wanted, StringComparison.Ordinal)) return ((char)('A' + i)).ToString();
        return null;
    }

    // ---- stated phrases, shared by the answer types ----

    /// <summary>The text after the last "the answer is" / "Answer:", up to the end of its sentence.</summary>
    private static string? FinalAnswerPhrase(string text) => LastStated(AnswerPhrase(), text);

    /// <summary>
    /// The value stated by the last match of <paramref name="phrase"/>: "**Final Answer:** 17" without the bold
    /// marker; a phrase that nests another ("Final Answer: The final answer is $10$. I hope it is correct.", as
    /// Minerva-style prompts ask) gives the inner value; a phrase that ends its line and is followed by a code
    /// fence ("The output is:" then ```python [] ```) gives the fence's content.
    /// </summary>
    private static string? LastStated(Regex phrase, string text)
    {
        MatchCollection matches = phrase.Matches(text);
        if (matches.Count == 0) return null;
        Group stated = matches[^1].Groups["a"];
        string value = stated.Value.Trim();
        if (value.StartsWith("```", StringComparison.Ordinal))
        {
            Match fence = LeadingFence().Match(text, stated.Index);
            return fence.Success && fence.Groups["c"].Value.Trim() is { Length: > 0 } content ? content : null;
        }
        for (int depth = 0; depth < 2; depth++)
        {
            MatchCollection inner = AnswerPhrase().Matches(value);
            if (inner.Count == 0 || inner[^1].Groups["a"].Value.Trim().Length == 0) break;
            value = inner[^1].Groups["a"].Value.Trim();
        }
        // "**Final Answer:** 17": the bold marker that closes the phrase is not part of the answer.
        if (value.StartsWith("**", StringComparison.Ordinal)) value = value[2..].TrimStart();
        value = value.TrimEnd('.', ' ', '*').Trim();
        return value.Length == 0 ? null : value;
    }

    [GeneratedRegex(@"\G```[\w+-]*[ \t]*\n(?<c>.*?)\n?[ \t]*```", RegexOptions.Singleline)]
    private static partial Regex LeadingFence();

    [GeneratedRegex(@"####\s*(?<a>[^\n]+)")]
    private static partial Regex HashAnswer();

    [GeneratedRegex(@"\[(?<t>ANSWER|PYTHON)\](?<a>.*?)\[/\k<t>\]", RegexOptions.Singleline)]
    private static partial Regex AnswerTag();

    // "assert f(x) == y", or the comparison without assert when its left side is a call: "f('abc') == 'cba'".
    [GeneratedRegex(@"^(?:assert\s.+?\s==\s|[A-Za-z_][\w.]*\(.*?\)\s*==\s*)(?<rhs>.+)$", RegexOptions.Singleline)]
    private static partial Regex AssertRightSide();

    // "The output is 'abc'." or a line "Output: 'abc'" (as output-prediction prompts ask).
    [GeneratedRegex(@"\bthe\s+(?:final\s+)?(?:output|result|return(?:ed)?\s+value)\s+(?:is|will\s+be|would\s+be|should\s+be)\s*:?\s*(?<a>[^\n]+?)(?:\.\s|\.$|\n|$)|\)\s+(?:returns|evaluates\s+to)\s*:?\s*(?<a>[^\n]+?)(?:\.\s|\.$|\n|$)|^\s*(?:\*\*)?output(?:\*\*)?\s*:\s*(?:\*\*)?\s*(?<a>[^\n]+?)\s*$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex OutputIs();

    [GeneratedRegex(@"^```[\w+-]*\s*\n?(?<c>.*?)\n?```$", RegexOptions.Singleline)]
    private static partial Regex WholeFence();

    [GeneratedRegex(@"(?:final\s+answer|the\s+answer)\s*(?:is|:)\s*:?\s*(?<a>[^\n]+?)(?:\.\s|\.$|\n|$)|^\s*(?:\*\*)?answer(?:\*\*)?\s*:\s*(?<a>[^\n]+?)\s*$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex AnswerPhrase();

    [GeneratedRegex(@"-?\d[\d,]*(?:\.\d+)?(?:/\d+)?")]
    private static partial Regex LastNumber();
}
