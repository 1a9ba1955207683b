using System.Text.RegularExpressions;

namespace Avengers.Answers;

/// <summary>The phrases models state an answer with ("The answer is ...", "Answer: ...", "The output is ..."), shared by the readers.</summary>
internal static partial class StatedPhrases
{
    /// <summary>The text after the last "the answer is" / "Answer:", up to the end of its sentence.</summary>
    public static string? FinalAnswer(string text) => LastStated(AnswerPhrase(), text);

    /// <summary>The text after the last "The output is" / "Output:" / "f(x) returns".</summary>
    public static string? Output(string text) => LastStated(OutputIs(), text);

    /// <summary>True when the text states an answer in any of the common forms ("####", \boxed, "the answer is").</summary>
    public static bool StatesAnAnswer(string text)
        => HashAnswer().IsMatch(text) || text.Contains("\\boxed", StringComparison.Ordinal) || AnswerPhrase().IsMatch(text);

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

    /// <summary>GSM8K's "#### 72".</summary>
    [GeneratedRegex(@"####\s*(?<a>[^\n]+)")]
    public static partial Regex HashAnswer();

    // "The output is 'abc'." or a line "Output: 'abc'" (as output-prediction prompts ask).
    [GeneratedRegex(@"\bthe\s+(?:final\s+)?(?:output|result|return(?:ed)?\s+value)\s+(?:is|will\s+be|would\s+be|should\s+be)\s*:?\s*(?<a>[^\n]+?)(?:\.\s|\.$|\n|$)|\)\s+(?:returns|evaluates\s+to)\s*:?\s*(?<a>[^\n]+?)(?:\.\s|\.$|\n|$)|^\s*(?:\*\*)?output(?:\*\*)?\s*:\s*(?:\*\*)?\s*(?<a>[^\n]+?)\s*$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex OutputIs();

    [GeneratedRegex(@"(?:final\s+answer|the\s+answer)\s*(?:is|:)\s*:?\s*(?<a>[^\n]+?)(?:\.\s|\.$|\n|$)|^\s*(?:\*\*)?answer(?:\*\*)?\s*:\s*(?<a>[^\n]+?)\s*$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex AnswerPhrase();
}
