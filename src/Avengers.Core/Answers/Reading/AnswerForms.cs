using System.Text.RegularExpressions;

namespace Avengers.Answers;

/// <summary>
/// The one form each answer type is compared in: what a reader returns and what a gold answer is normalised to, so
/// that equal answers compare equal whoever wrote them.
/// </summary>
internal static partial class AnswerForms
{
    /// <summary>
    /// Exact answers compare as literals: quotes, backticks and a trailing full stop dropped; Python and JSON
    /// spellings agree ('a' and "a", True and true, None and null, tuples and lists); whitespace inside brackets
    /// and number spellings do not matter; a bare abc equals 'abc'. Text that is no literal is compared with its
    /// whitespace collapsed. Case is folded unless the dataset's rule says otherwise.
    /// </summary>
    /// <param name="isString">The text is a string value already (a JSON answer field): if it is no literal itself, it is
    /// compared as is, not trimmed of quotes and full stops.</param>
    public static string? Exact(string text, bool caseSensitive = false, bool isString = false)
    {
        // The empty string is an answer ('' or ""), distinct from none.
        if (isString && text.Length == 0) return "''";
        string s = Unwrap(text.Trim());
        Match assertion = AssertRightSide().Match(s);
        if (assertion.Success) s = Unwrap(assertion.Groups["rhs"].Value.Trim());
        string? literal = null;
        if (s.Length > 0 && s.Length <= AnswerLimits.LiteralText && (LenientJson.MayStartLiteral(s[0]) || s[0] is '+' or '.'))
        {
            if (LenientJson.TryParseWhole(s, out object? value) || LenientJson.TryParseWhole(s.TrimEnd('.').TrimEnd(), out value))
                literal = value is string { Length: 0 } ? "''" : LenientJson.Canonical.Of(value);
        }
        // A top-level string keeps its inner spacing; anything else is already in canonical spacing.
        if (literal is null && isString && s.Length > 0) literal = s;
        if (literal is not null) return caseSensitive ? literal : literal.ToLowerInvariant();
        return Plain(s, caseSensitive);
    }

    /// <summary>Whitespace collapsed, a final full stop and wrapping quotes or markers dropped, case folded unless asked.</summary>
    public static string? Plain(string text, bool caseSensitive)
    {
        string collapsed = Whitespace().Replace(text.Trim(), " ").Trim().TrimEnd('.').Trim().Trim('"', '\'', '*', '`').Trim();
        if (collapsed.Length == 0) return null;
        return caseSensitive ? collapsed : collapsed.ToLowerInvariant();
    }

    /// <summary>The label of <paramref name="labels"/> the answer is (in the label's own spelling), the answer itself when there is no label set, else null.</summary>
    public static string? Label(string answer, IReadOnlyList<string>? labels, bool caseSensitive = false)
    {
        string? normalized = Plain(answer, caseSensitive);
        if (normalized is null || labels is null) return normalized;
        foreach (string label in labels)
            if (string.Equals(label.Trim(), normalized, StringComparison.OrdinalIgnoreCase)) return caseSensitive ? label.Trim() : label.Trim().ToLowerInvariant();
        return null;
    }

    /// <summary>Program text: the first fenced block (else the whole text), trailing spaces and blank lines dropped.</summary>
    public static string? Code(string text)
    {
        Match fenced = CodeFence().Match(text);
        string code = fenced.Success ? fenced.Groups["c"].Value : text;
        string joined = string.Join('\n', code.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Trim().Length > 0));
        return joined.Length == 0 ? null : joined;
    }

    /// <summary>A choice as a letter within the options: "C", "(C)", "C.", "C) text", "**C**".</summary>
    public static string? ChoiceLetter(string answer, int choiceCount)
    {
        Match bare = BareChoice().Match(answer);
        return bare.Success ? ValidLetter(bare.Groups["l"].Value, choiceCount) : null;
    }

    /// <summary>The letter, upper-cased, when it names one of the options (any of A-Z when their number is unknown).</summary>
    public static string? ValidLetter(string letter, int choiceCount)
    {
        char last = choiceCount is > 0 and <= 26 ? (char)('A' + choiceCount - 1) : 'Z';
        char c = char.ToUpperInvariant(letter[0]);
        return c >= 'A' && c <= last ? c.ToString() : null;
    }

    /// <summary>The letter of the option whose text the answer repeats ("Paris" for options [..., "Paris", ...]).</summary>
    public static string? ChoiceByText(string answer, IReadOnlyList<string>? choices)
    {
        if (choices is null || choices.Count is 0 or > 26) return null;
        string? wanted = Plain(answer, caseSensitive: false);
        if (wanted is null) return null;
        for (int i = 0; i < choices.Count; i++)
            if (string.Equals(Plain(choices[i], caseSensitive: false), wanted, StringComparison.Ordinal)) return ((char)('A' + i)).ToString();
        return null;
    }

    /// <summary>Drops what wraps an answer: a code fence, backticks, bold markers.</summary>
    public static string Unwrap(string s)
    {
        Match fenced = WholeFence().Match(s);
        if (fenced.Success) s = fenced.Groups["c"].Value.Trim();
        for (int guard = 0; guard < 4; guard++)
        {
            string before = s;
            if (s.Length >= 4 && s.StartsWith("**", StringComparison.Ordinal) && s.EndsWith("**", StringComparison.Ordinal)) s = s[2..^2].Trim();
            if (s.Length >= 2 && s[0] == '`' && s[^1] == '`') s = s.Trim('`').Trim();
            if (s == before) break;
        }
        return s;
    }

    /// <summary>
    /// The literal a stated phrase begins with when prose follows it ("'abc', because the function reverses it" gives
    /// 'abc'; "[1, 2] since both are kept" gives [1, 2]); null when the phrase is one literal or starts with none.
    /// </summary>
    public static string? LeadingLiteral(string phrase)
    {
        string t = Unwrap(phrase.Trim());
        if (t.Length == 0 || !LenientJson.MayStartLiteral(t[0])) return null;
        if (LenientJson.TryParseWhole(t, out _) || !LenientJson.TryParseValue(t, 0, out _, out int end) || end <= 0 || end >= t.Length) return null;
        return char.IsWhiteSpace(t[end]) || t[end] is ',' or ';' or '(' ? t[..end] : null;
    }

    // "assert f(x) == y", or the comparison without assert when its left side is a call: "f('abc') == 'cba'".
    [GeneratedRegex(@"^(?:assert\s.+?\s==\s|[A-Za-z_][\w.]*\(.*?\)\s*==\s*)(?<rhs>.+)$", RegexOptions.Singleline)]
    private static partial Regex AssertRightSide();

    [GeneratedRegex(@"^```[\w+-]*\s*\n?(?<c>.*?)\n?```$", RegexOptions.Singleline)]
    private static partial Regex WholeFence();

    [GeneratedRegex(@"```[\w+-]*\n(?<c>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeFence();

    // A lone capital letter counts only when delimited ("C", "(C)", "C.", "C)", "**C**"): "A lot of ..." is prose.
    [GeneratedRegex(@"^[\*\s]*(?:\((?<l>[A-Z])\)|\[(?<l>[A-Z])\]|(?<l>[A-Z])(?:[\)\.:]|\*\*))(?:\s|$)|^[\*\s]*(?<l>[A-Z])\s*$", RegexOptions.None)]
    public static partial Regex BareChoice();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
