using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Avengers.Answers;

/// <summary>
/// Canonical forms for mathematical answers: LaTeX wrappers and units stripped, numbers without
/// thousands separators, and simple fractions compared by value (0.5, 1/2 and \frac12 agree).
/// </summary>
public static partial class MathNormalizer
{
    /// <summary>The content of the last <c>\boxed{...}</c> (or <c>\fbox{...}</c>), braces balanced; null when absent.</summary>
    public static string? LastBoxed(string text)
    {
        int start = Math.Max(text.LastIndexOf("\\boxed", StringComparison.Ordinal), text.LastIndexOf("\\fbox", StringComparison.Ordinal));
        if (start < 0) return null;
        int open = text.IndexOf('{', start);
        if (open < 0) return null;
        int depth = 0;
        for (int i = open; i < text.Length; i++)
        {
            if (text[i] == '{') depth++;
            else if (text[i] == '}' && --depth == 0) return text[(open + 1)..i];
        }
        return null;
    }

    /// <summary>A math answer in a canonical form (numbers by value, LaTeX wrappers and units dropped); null when there is none.</summary>
    public static string? Normalize(string? answer)
    {
        if (answer is null) return null;
        string s = answer.Trim();
        string? boxed = LastBoxed(s);
        if (boxed is not null) s = boxed;

        s = s.Replace("\\left", "").Replace("\\right", "").Replace("\\!", "").Replace("\\,", "").Replace("\\;", "")
             .Replace("\\dfrac", "\\frac").Replace("\\tfrac", "\\frac").Replace("\\displaystyle", "")
             .Replace("^\\circ", "").Replace("^{\\circ}", "").Replace("\\%", "").Replace("%", "").Replace("\\$", "").Replace("$", "")
             .Replace("{,}", ",").Replace('~', ' ');    // "10{,}000" groups thousands; "~" is a LaTeX space
        s = LatexSpace().Replace(s, "");                 // "\ " is a space; "\\ " ends a matrix row
        s = TrailingTextUnit().Replace(s, "");           // "2\sqrt{2} \text{ cm}" -> "2\sqrt{2}"
        s = s.Replace("\\(", "").Replace("\\)", "").Replace("\\[", "").Replace("\\]", ""); // inline and display delimiters
        s = TextWrapper().Replace(s, "${t}");
        s = s.Trim().TrimEnd('.', ',', ';').Trim();
        s = VariablePrefix().Replace(s, "");           // "x = 5" -> "5"
        s = FracShort().Replace(s, "\\frac{${a}}{${b}}"); // \frac12 -> \frac{1}{2}
        s = TrailingUnit().Replace(s, "${n}");         // "18 dollars" -> "18"
        s = s.Replace(" ", "");
        s = BracedSingle().Replace(s, "${op}${c}");     // x^{2} -> x^2
        s = BareSqrt().Replace(s, "\\sqrt{${c}}");    // \sqrt3 -> \sqrt{3}
        if (s.Length == 0) return null;
        if (s.StartsWith("\\{", StringComparison.Ordinal) && s.EndsWith("\\}", StringComparison.Ordinal) && s.Length > 4) s = s[2..^2]; // a set: \{1,2\}
        if (s.Length == 3 && s[0] == '(' && s[2] == ')' && char.IsAsciiLetterUpper(s[1])) s = s[1..2];               // an option: (A)
        s = WithoutOuter(s, '{', '}');                                                                                 // {\frac{1}{2}}
        if (!s.Contains(',', StringComparison.Ordinal)) s = WithoutOuter(s, '(', ')');                                 // (\frac{1}{4}); (1,2) is a point
        if (MixedNumber().Match(s) is { Success: true } mixed) s = ImproperFraction(mixed);                         // 2\frac{1}{4} is 9/4

        if (TryRational(s, out BigInteger numerator, out BigInteger denominator)) return Canonical(numerator, denominator);
        if (SymbolicSlash().Match(s) is { Success: true } slash && s.Any(char.IsAsciiLetter))                        // \pi/2 is \frac{\pi}{2}
            return $"{slash.Groups["neg"].Value}\\frac{{{slash.Groups["a"].Value}}}{{{slash.Groups["b"].Value}}}";
        return UnorderedList(s) ?? s;
    }

    /// <summary>A mixed number ("2\frac{1}{4}", as MATH writes them) as one fraction ("\frac{9}{4}").</summary>
    private static string ImproperFraction(Match mixed)
    {
        BigInteger Value(string group) => BigInteger.Parse(mixed.Groups[group].Value, CultureInfo.InvariantCulture);
        return $"{mixed.Groups["neg"].Value}\\frac{{{Value("w") * Value("b") + Value("a")}}}{{{Value("b")}}}";
    }

    /// <summary><paramref name="s"/> without one pair of brackets around all of it (the opening one closing at the very end).</summary>
    private static string WithoutOuter(string s, char open, char close)
    {
        if (s.Length < 3 || s[0] != open || s[^1] != close) return s;
        int depth = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == open) depth++;
            else if (s[i] == close && --depth == 0 && i < s.Length - 1) return s; // "(a)(b)": the first pair closes early
        }
        return s[1..^1];
    }

    /// <summary>
    /// Solutions listed without brackets ("3, 2") form a set: each item in its canonical form, sorted. Brackets
    /// keep their order: (1,2) is a point and [1,2] an interval.
    /// </summary>
    private static string? UnorderedList(string s)
    {
        var items = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if (c == ',' && depth == 0) { items.Add(s[start..i]); start = i + 1; }
        }
        if (items.Count == 0 || depth != 0) return null;
        items.Add(s[start..]);
        if (items.Count > 20 || items.Any(item => item.Length == 0)) return null;
        return string.Join(",", items.Select(item => TryRational(item, out BigInteger n, out BigInteger d) ? Canonical(n, d) : item).Order(StringComparer.Ordinal));
    }

    /// <summary>Parses an integer, a decimal, "a/b" or "\frac{a}{b}" (with sign) into a reduced fraction.</summary>
    public static bool TryRational(string s, out BigInteger numerator, out BigInteger denominator)
    {
        numerator = 0; denominator = 1;
        Match frac = LatexFraction().Match(s);
        if (!frac.Success) frac = SlashFraction().Match(s);
        if (frac.Success)
        {
            if (!TryDecimal(frac.Groups["a"].Value, out BigInteger an, out BigInteger ad) || !TryDecimal(frac.Groups["b"].Value, out BigInteger bn, out BigInteger bd) || bn.IsZero) return false;
            numerator = an * bd; denominator = ad * bn;
            if (frac.Groups["neg"].Success && frac.Groups["neg"].Value == "-") numerator = -numerator;
        }
        else if (!TryDecimal(s, out numerator, out denominator)) return false;
        if (denominator.Sign < 0) { numerator = -numerator; denominator = -denominator; }
        BigInteger gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        if (!gcd.IsZero) { numerator /= gcd; denominator /= gcd; }
        return true;
    }

    private static bool TryDecimal(string s, out BigInteger numerator, out BigInteger denominator)
    {
        numerator = 0; denominator = 1;
        // A comma groups thousands (1,000) or separates values (-2,3 is a pair, not -23).
        if (s.Contains(',', StringComparison.Ordinal))
        {
            if (!ThousandsGrouped().IsMatch(s)) return false;
            s = s.Replace(",", "");
        }
        Match m = DecimalNumber().Match(s);
        if (!m.Success) return false;
        string whole = m.Groups["w"].Value, fraction = m.Groups["f"].Value;
        if (whole.Length == 0 && fraction.Length == 0) return false;
        numerator = BigInteger.Parse((whole.Length == 0 ? "0" : whole) + fraction, CultureInfo.InvariantCulture);
        denominator = BigInteger.Pow(10, fraction.Length);
        if (m.Groups["s"].Value == "-") numerator = -numerator;
        return true;
    }

    /// <summary>Terminating fractions as decimals ("0.5"), the rest as "a/b".</summary>
    internal static string Canonical(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsOne) return numerator.ToString(CultureInfo.InvariantCulture);
        BigInteger d = denominator;
        int twos = 0, fives = 0;
        while (d % 2 == 0) { d /= 2; twos++; }
        while (d % 5 == 0) { d /= 5; fives++; }
        if (!d.IsOne) return $"{numerator}/{denominator}";
        int digits = Math.Max(twos, fives);
        BigInteger scaled = numerator * BigInteger.Pow(10, digits) / denominator;
        string sign = scaled.Sign < 0 ? "-" : "";
        string abs = BigInteger.Abs(scaled).ToString(CultureInfo.InvariantCulture).PadLeft(digits + 1, '0');
        return $"{sign}{abs[..^digits]}.{abs[^digits..]}";
    }

    // A unit in text after a value: "\text{ cm}", "\mbox{ inches}^2" (a lone "\text{Evelyn}" has no value before it).
    [GeneratedRegex(@"(?<=[\d}])\s*\\(?:text|mbox|mathrm)\{\s*[A-Za-z][A-Za-z\s.]*\}(?:\^\{?[23]\}?)?\s*$")]
    private static partial Regex TrailingTextUnit();

    [GeneratedRegex(@"^(?<neg>-)?(?<w>\d+)\\frac\{(?<a>\d+)\}\{(?<b>\d+)\}$")]
    private static partial Regex MixedNumber();

    // "a/b" where a or b is not a plain number (plain ones are rationals): \sqrt{3}/2, 3\pi/4, 1/\sqrt{2}.
    [GeneratedRegex(@"^(?<neg>-)?(?<a>[^/+\-=,<>]+)/(?<b>[^/+\-=,<>]+)$")]
    private static partial Regex SymbolicSlash();

    [GeneratedRegex(@"\\(?:text|textbf|mathrm|mathbf|mbox)\{(?<t>[^{}]*)\}")]
    private static partial Regex TextWrapper();

    [GeneratedRegex(@"^[a-zA-Z]\s*(?:=|\\in\b)\s*")]
    private static partial Regex VariablePrefix();

    [GeneratedRegex(@"(?<!\\)\\ ")]
    private static partial Regex LatexSpace();

    [GeneratedRegex(@"\\frac(?<a>\d)(?<b>\d)")]
    private static partial Regex FracShort();

    [GeneratedRegex(@"^(?<n>-?[\d,]*\.?\d+)\s*[a-zA-Z][a-zA-Z\s\.]*(?:\^\{?[23]\}?)?$")]
    private static partial Regex TrailingUnit();

    [GeneratedRegex(@"^(?<neg>-)?\\frac\{(?<a>[-\d.,]+)\}\{(?<b>[-\d.,]+)\}$")]
    private static partial Regex LatexFraction();

    [GeneratedRegex(@"^(?<neg>-)?(?<a>[\d.,]+)/(?<b>[\d.,]+)$")]
    private static partial Regex SlashFraction();

    [GeneratedRegex(@"^(?<s>[+-])?(?<w>\d*)(?:\.(?<f>\d+))?$")]
    private static partial Regex DecimalNumber();

    [GeneratedRegex(@"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")]
    private static partial Regex ThousandsGrouped();

    [GeneratedRegex(@"(?<op>[\^_])\{(?<c>[0-9A-Za-z])\}")]
    private static partial Regex BracedSingle();

    [GeneratedRegex(@"\\sqrt(?<c>[0-9A-Za-z])")]
    private static partial Regex BareSqrt();
}
