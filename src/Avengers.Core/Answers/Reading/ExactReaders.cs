using System.Text.RegularExpressions;

namespace Avengers.Answers;

/// <summary>Exact literals (output prediction: CRUXEval, LiveCodeBench's execution task): read, then compared as literals.</summary>
internal static partial class ExactReaders
{
    public static readonly IReadOnlyList<AnswerReader> All =
    [
        new("answer_tag", "\"[ANSWER] assert f(x) == 'y' [/ANSWER]\": CRUXEval's own convention (also [PYTHON] ... [/PYTHON])",
            (text, context) => AnswerTag().Matches(text) is { Count: > 0 } tagged ? AnswerForms.Exact(tagged[^1].Groups["a"].Value, context.CaseSensitive) : null),
        new("answer_is", "\"The answer is 'abc'\", \"The final answer is 'hello', as computed above.\": the stated literal, prose after it dropped",
            (text, context) => Literal(StatedPhrases.FinalAnswer(text), context)),
        new("output_is", "\"The output is [1, 2].\", \"Output: 'cba'\", \"f('abc') returns 'cba'.\": what output-prediction prompts ask for",
            (text, context) => Literal(StatedPhrases.Output(text), context)),
        new("call_result", "\"assert f('abc') == 'cba'\", \"So, f('abc') = 'cba'.\": the last line that equates a call with a value",
            (text, context) => CallResult(text) is string value ? AnswerForms.Exact(value, context.CaseSensitive) : null),
        new("trailing_fence", "a response that ends with a code fence holding one literal (\"```\\n[3, 2, 1]\\n```\")",
            (text, context) => TrailingFence(text) is string value ? AnswerForms.Exact(value, context.CaseSensitive) : null),
        new("bare_answer", $"a response that is only its answer (one line of at most {AnswerLimits.ShortBareAnswer} characters), or whose last line is a literal",
            (text, context) => BareAnswer(text) is string value ? AnswerForms.Exact(value, context.CaseSensitive) : null),
    ];

    private static string? Literal(string? phrase, ReadingContext context)
        => phrase is null ? null : AnswerForms.Exact(AnswerForms.LeadingLiteral(phrase) ?? phrase, context.CaseSensitive);

    /// <summary>The right side of the last line that equates a call with a value: "assert f('abc') == 'cba'", "So, f('abc') = 'cba'."</summary>
    private static string? CallResult(string text)
    {
        MatchCollection matches = CallEquals().Matches(text.Length > AnswerLimits.ConclusionWindow ? text[^AnswerLimits.ConclusionWindow..] : text);
        return matches.Count == 0 ? null : matches[^1].Groups["a"].Value.Trim().TrimEnd('.').Trim() is { Length: > 0 } value ? AnswerForms.LeadingLiteral(value) ?? value : null;
    }

    /// <summary>The content of a code fence that ends the response, when it is one literal ("```\n[3, 2, 1]\n```").</summary>
    private static string? TrailingFence(string text)
    {
        Match fence = ClosingFence().Match(text);
        if (!fence.Success) return null;
        string content = fence.Groups["c"].Value.Trim();
        return content.Length is > 0 and <= AnswerLimits.LiteralLine && LenientJson.TryParseWhole(content, out _) ? content : null;
    }

    /// <summary>
    /// A response without an answer marker is its own answer only when it is short; otherwise its last line when that is
    /// a literal ("'abc'", "[1, 2]"). Prose that never states an answer yields none, so it is reported as unreadable
    /// instead of voting with a paragraph.
    /// </summary>
    private static string? BareAnswer(string text)
    {
        string trimmed = AnswerForms.Unwrap(text.Trim());
        if (trimmed.Length <= AnswerLimits.ShortBareAnswer && trimmed.IndexOf('\n') < 0) return trimmed.Length == 0 ? null : trimmed;
        int end = trimmed.Length;
        while (end > 0 && char.IsWhiteSpace(trimmed[end - 1])) end--;
        int start = trimmed.LastIndexOf('\n', Math.Max(0, end - 1)) + 1;
        string last = AnswerForms.Unwrap(trimmed[start..end].Trim());
        return last.Length is > 0 and <= AnswerLimits.LiteralLine && LenientJson.TryParseWhole(last, out _) ? last : null;
    }

    [GeneratedRegex(@"\[(?<t>ANSWER|PYTHON)\](?<a>.*?)\[/\k<t>\]", RegexOptions.Singleline)]
    private static partial Regex AnswerTag();

    // A call, == or =, and the rest of the line (a keyword argument "f(x=1)" stays inside the parentheses).
    [GeneratedRegex(@"(?<![\w.])[A-Za-z_][\w.]*\([^\n]*\)[ \t]*={1,2}[ \t]*(?<a>[^\n=][^\n]*?)[ \t`]*$", RegexOptions.Multiline)]
    private static partial Regex CallEquals();

    [GeneratedRegex(@"```[\w+-]*[ \t]*\n(?<c>[^`]*?)\n?[ \t]*```\s*$")]
    private static partial Regex ClosingFence();
}
