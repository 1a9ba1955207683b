using System.Text.RegularExpressions;

namespace Avengers.Answers;

// Exact literals, labels and code.
public static partial class AnswerExtractor
{
    private static string? ExtractExact(string text, GradingRule? rule)
    {
        // CRUXEval's convention: "[ANSWER] assert f(x) == 'y' [/ANSWER]".
        MatchCollection tagged = AnswerTag().Matches(text);
        if (tagged.Count > 0) return NormalizeExact(tagged[^1].Groups["a"].Value, rule?.CaseSensitive == true);
        string? phrase = FinalAnswerPhrase(text) ?? OutputPhrase(text);
        string? stated = phrase is null ? CallResult(text) ?? TrailingFence(text) ?? BareAnswer(text) : LeadingLiteral(phrase) ?? phrase;
        return stated is null ? null : NormalizeExact(stated, rule?.CaseSensitive == true);
    }

    /// <summary>The right side of the last line that equates a call with a value: "assert f('abc') == 'cba'", "So, f('abc') = 'cba'."</summary>
    private static string? CallResult(string text)
    {
        // The conclusion is at the end; a bounded tail keeps a long looping response from costing quadratic time.
        MatchCollection matches = CallEquals().Matches(text.Length > 4000 ? text[^4000..] : text);
        return matches.Count == 0 ? null : matches[^1].Groups["a"].Value.Trim().TrimEnd('.').Trim() is { Length: > 0 } value ? LeadingLiteral(value) ?? value : null;
    }

    // A call, == or =, and the rest of the line (a keyword argument "f(x=1)" stays inside the parentheses).
    [GeneratedRegex(@"(?<![\w.])[A-Za-z_][\w.]*\([^\n]*\)[ \t]*={1,2}[ \t]*(?<a>[^\n=][^\n]*?)[ \t`]*$", RegexOptions.Multiline)]
    private static partial Regex CallEquals();

    /// <summary>The content of a code fence that ends the response, when it is one literal ("```\n[3, 2, 1]\n```").</summary>
    private static string? TrailingFence(string text)
    {
        Match fence = ClosingFence().Match(text);
        if (!fence.Success) return null;
        string content = fence.Groups["c"].Value.Trim();
        return content.Length is > 0 and <= 2000 && LenientJson.TryParseWhole(content, out _) ? content : null;
    }

    [GeneratedRegex(@"```[\w+-]*[ \t]*\n(?<c>[^`]*?)\n?[ \t]*```\s*$")]
    private static partial Regex ClosingFence();

    /// <summary>
    /// The literal a stated phrase begins with when prose follows it ("'abc', because the function reverses it" gives
    /// 'abc'; "[1, 2] since both are kept" gives [1, 2]); null when the phrase is one literal or starts with none.
    /// </summary>
    private static string? LeadingLiteral(string phrase)
    {
        string t = Unwrap(phrase.Trim());
        if (t.Length == 0 || t[0] is not ('\'' or '"' or '[' or '(' or '{' or '-' or (>= '0' and <= '9') or 'T' or 'F' or 'N' or 't' or 'f' or 'n')) return null;
        if (LenientJson.TryParseWhole(t, out _) || !LenientJson.TryParseValue(t, 0, out _, out int end) || end <= 0 || end >= t.Length) return null;
        return char.IsWhiteSpace(t[end]) || t[end] is ',' or ';' or '(' ? t[..end] : null;
    }

    /// <summary>
    /// A response without an answer marker is its own answer only when it is short (one line of at most 60 characters); otherwise its last
    /// line when that is a literal ("'abc'", "[1, 2]"). Prose that never states an answer yields none, so it is
    /// reported as unreadable instead of voting with a paragraph.
    /// </summary>
    private static string? BareAnswer(string text)
    {
        string trimmed = Unwrap(text.Trim());
        if (trimmed.Length <= 60 && trimmed.IndexOf('\n') < 0) return trimmed;
        int end = trimmed.Length;
        while (end > 0 && char.IsWhiteSpace(trimmed[end - 1])) end--;
        int start = trimmed.LastIndexOf('\n', Math.Max(0, end - 1)) + 1;
        string last = Unwrap(trimmed[start..end].Trim());
        return last.Length is > 0 and <= 2000 && LenientJson.TryParseWhole(last, out _) ? last : null;
    }

    private static string? OutputPhrase(string text) => LastStated(OutputIs(), text);

    /// <summary>
    /// Exact answers compare as literals: quotes, backticks and a trailing full stop dropped; Python and JSON
    /// spellings agree ('a' and "a", True and true, None and null, tuples and lists); whitespace inside brackets
    /// and number spellings do not matter; a bare abc equals 'abc'. Text that is no literal is compared with its
    /// whitespace collapsed. Case is folded unless the dataset's rule says otherwise.
    /// </summary>
    /// <param name="isString">The text is a string value already (a JSON answer field): if it is no literal itself, it is
    /// compared as is, not trimmed of quotes and full stops.</param>
    internal static string? NormalizeExact(string text, bool caseSensitive = false, bool isString = false)
    {
        // The empty string is an answer ('' or ""), distinct from none.
        if (isString && text.Length == 0) return "''";
        string s = Unwrap(text.Trim());
        Match assertion = AssertRightSide().Match(s);
        if (assertion.Success) s = Unwrap(assertion.Groups["rhs"].Value.Trim());
        string? literal = null;
        if (s.Length > 0 && s.Length <= 100_000 && s[0] is '\'' or '"' or '[' or '(' or '{' or '-' or '+' or '.' or (>= '0' and <= '9') or 'T' or 'F' or 'N' or 't' or 'f' or 'n')
        {
            if (LenientJson.TryParseWhole(s, out object? value) || LenientJson.TryParseWhole(s.TrimEnd('.').TrimEnd(), out value))
                literal = value is string { Length: 0 } ? "''" : LenientJson.Canonical.Of(value);
        }
        // A top-level string keeps its inner spacing; anything else is already in canonical spacing.
        if (literal is null && isString && s.Length > 0) literal = s;
        if (literal is not null) return caseSensitive ? literal : literal.ToLowerInvariant();
        return NormalizePlain(s, caseSensitive);
    }

    /// <summary>Drops what wraps an answer: a code fence, backticks, bold markers.</summary>
    private static string Unwrap(string s)
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

    private static string? NormalizePlain(string text, bool caseSensitive)
    {
        string collapsed = Whitespace().Replace(text.Trim(), " ").Trim().TrimEnd('.').Trim().Trim('"', '\'', '*', '`').Trim();
        if (collapsed.Length == 0) return null;
        return caseSensitive ? collapsed : collapsed.ToLowerInvariant();
    }

    private static string? ExtractLabel(string text, IReadOnlyList<string>? labels, GradingRule? rule)
    {
        bool caseSensitive = rule?.CaseSensitive == true;
        string candidate = FinalAnswerPhrase(text) ?? text;
        string? mapped = MapLabel(candidate, labels, caseSensitive);
        if (mapped is not null || labels is null || labels.Count == 0) return mapped ?? NormalizePlain(candidate, caseSensitive);
        // Otherwise: the one label the text mentions, if exactly one.
        string lowered = text.ToLowerInvariant();
        string[] mentioned = labels.Select(l => l.Trim().ToLowerInvariant()).Distinct()
            .Where(l => l.Length > 0 && Regex.IsMatch(lowered, $@"(?<![\w]){Regex.Escape(l)}(?![\w])", RegexOptions.None, TimeSpan.FromSeconds(1))).ToArray();
        return mentioned.Length == 1 ? mentioned[0] : null;
    }

    private static string? MapLabel(string answer, IReadOnlyList<string>? labels, bool caseSensitive = false)
    {
        string? normalized = NormalizePlain(answer, caseSensitive);
        if (normalized is null || labels is null) return normalized;
        foreach (string label in labels)
        {
            if (string.Equals(label.Trim(), normalized, StringComparison.OrdinalIgnoreCase)) return caseSensitive ? label.Trim() : label.Trim().ToLowerInvariant();
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
