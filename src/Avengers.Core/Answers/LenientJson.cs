using System.Text;

namespace Avengers.Answers;

/// <summary>
/// Reads the JSON and Python literals models write, forgiving what strict parsers refuse: single quotes,
/// trailing commas, raw newlines inside strings, bare keys, Python's True/False/None, tuples and sets.
/// Values: string, <see cref="LiteralNumber"/>, bool, null, <c>List&lt;object?&gt;</c>, <see cref="LiteralTuple"/>,
/// <see cref="LiteralSet"/>, or <c>List&lt;KeyValuePair&lt;string, object?&gt;&gt;</c> for objects (order kept).
/// Nesting is capped so hostile input cannot exhaust the stack; every step advances, so parsing is linear.
/// </summary>
internal static class LenientJson
{
    private const int MaxDepth = 64;

    /// <summary>Parses one value starting at <paramref name="start"/>; <paramref name="end"/> is the offset just after it.</summary>
    public static bool TryParseValue(string text, int start, out object? value, out int end)
    {
        int i = start;
        try
        {
            value = ParseValue(text, ref i, 0);
            end = i;
            return true;
        }
        catch (FormatException)
        {
            value = null;
            end = start;
            return false;
        }
    }

    /// <summary>True when a literal may start with <paramref name="c"/>: a quote, a bracket, a sign or digit, or True/False/None/true/false/null.</summary>
    public static bool MayStartLiteral(char c) => c is '\'' or '"' or '[' or '(' or '{' or '-' or (>= '0' and <= '9') or 'T' or 'F' or 'N' or 't' or 'f' or 'n';

    /// <summary>Parses the whole text as one literal, saying where it fails (for data files: the LLMRouter metadata's Python literals).</summary>
    /// <exception cref="FormatException">The text is not one literal; the message gives the offset.</exception>
    public static object? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int i = 0;
        object? value;
        try { value = ParseValue(text, ref i, 0); }
        catch (FormatException ex) { throw new FormatException($"{ex.Message} at offset {Math.Min(i, text.Length)}", ex); }
        SkipSpace(text, ref i);
        if (i != text.Length) throw new FormatException($"unexpected '{text[i]}' at offset {i}");
        return value;
    }

    /// <summary>The items of a parsed list, tuple or set as text (numbers as written, None as ""), or null for any other value.</summary>
    public static List<string>? AsStrings(object? value) => value switch
    {
        List<object?> list => [.. list.Select(Text)],
        LiteralTuple tuple => [.. tuple.Items.Select(Text)],
        LiteralSet set => [.. set.Items.Select(Text)],
        _ => null,
    };

    /// <summary>The value of <paramref name="key"/> in a parsed object, or null.</summary>
    public static object? Field(object? value, string key)
        => value is List<KeyValuePair<string, object?>> pairs ? pairs.FirstOrDefault(p => p.Key == key).Value : null;

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        LiteralNumber n => n.Text,
        _ => Canonical.Of(value),
    };

    /// <summary>Parses the whole text as one literal (surrounding whitespace allowed).</summary>
    public static bool TryParseWhole(string text, out object? value)
    {
        if (!TryParseValue(text, 0, out value, out int end)) return false;
        while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
        return end == text.Length;
    }

    private static object? ParseValue(string s, ref int i, int depth)
    {
        if (depth > MaxDepth) throw new FormatException("nested too deeply");
        SkipSpace(s, ref i);
        if (i >= s.Length) throw new FormatException("unexpected end");
        char c = s[i];
        switch (c)
        {
            case '"' or '\'':
                return ParseString(s, ref i);
            case '[':
                return ParseSequence(s, ref i, ']', depth);
            case '(':
                {
                    // A parenthesised single value without a comma is just that value: (3) == 3.
                    int before = i;
                    List<object?> items = ParseSequence(s, ref i, ')', depth, out bool sawComma);
                    if (items.Count == 1 && !sawComma && s[before + 1] != ')') return items[0];
                    return new LiteralTuple(items);
                }
            case '{':
                return ParseBraces(s, ref i, depth);
        }
        int start = i;
        while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] is '.' or '-' or '+' or '_')) i++;
        if (i == start) throw new FormatException("unexpected character");
        string word = s[start..i];
        return word switch
        {
            "true" or "True" => true,
            "false" or "False" => false,
            "null" or "None" => null,
            _ when IsNumber(word) => new LiteralNumber(word),
            _ => throw new FormatException("bare word"),
        };
    }

    internal static bool IsNumber(string word)
    {
        int i = 0;
        if (i < word.Length && word[i] is '-' or '+') i++;
        int digits = 0;
        while (i < word.Length && (char.IsAsciiDigit(word[i]) || word[i] == '_')) { i++; digits++; }
        if (i < word.Length && word[i] == '.') { i++; while (i < word.Length && char.IsAsciiDigit(word[i])) { i++; digits++; } }
        if (digits == 0) return false;
        if (i < word.Length && word[i] is 'e' or 'E')
        {
            i++;
            if (i < word.Length && word[i] is '-' or '+') i++;
            int exponent = 0;
            while (i < word.Length && char.IsAsciiDigit(word[i])) { i++; exponent++; }
            if (exponent == 0) return false;
        }
        return i == word.Length;
    }

    private static string ParseString(string s, ref int i)
    {
        char quote = s[i];
        // Python triple quotes.
        if (i + 2 < s.Length && s[i + 1] == quote && s[i + 2] == quote)
        {
            int close = s.IndexOf(new string(quote, 3), i + 3, StringComparison.Ordinal);
            if (close < 0) throw new FormatException("unterminated string");
            string body = s[(i + 3)..close];
            i = close + 3;
            return body;
        }
        i++;
        var builder = new StringBuilder();
        while (i < s.Length && s[i] != quote)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                char next = s[i + 1];
                // Models write LaTeX in JSON strings with single backslashes: "\frac{1}{2}" would read as a form feed
                // and "rac{1}{2}". A known LaTeX command after the backslash stays as written.
                if (next is 'b' or 'f' or 'n' or 'r' or 't' or 'u' && LatexCommandAt(s, i + 1) is int length)
                {
                    builder.Append(s, i, length + 1);
                    i += length + 1;
                    continue;
                }
                i += 2;
                switch (next)
                {
                    case 'n': builder.Append('\n'); break;
                    case 't': builder.Append('\t'); break;
                    case 'r': builder.Append('\r'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'u' when i + 4 <= s.Length && ushort.TryParse(s.AsSpan(i, 4), System.Globalization.NumberStyles.HexNumber, null, out ushort code):
                        builder.Append((char)code); i += 4; break;
                    case '\\' or '\'' or '"' or '/': builder.Append(next); break;
                    case '\n': break; // a line continuation
                    default: builder.Append('\\').Append(next); break;
                }
            }
            else builder.Append(s[i++]);
        }
        if (i >= s.Length) throw new FormatException("unterminated string");
        i++;
        return builder.ToString();
    }

    /// <summary>LaTeX commands whose names start with a letter JSON also uses as an escape (b, f, n, r, t, u).</summary>
    private static readonly HashSet<string> LatexCommands = new(StringComparer.Ordinal)
    {
        "beta", "bar", "begin", "binom", "boxed", "bf", "bigl", "bigr", "bmod", "bot", "bullet",
        "frac", "fbox", "forall", "flat",
        "nu", "ne", "neq", "nabla", "not", "neg", "ni", "notin", "nleq", "ngeq", "nmid",
        "right", "rho", "rangle", "rceil", "rfloor", "rightarrow", "Rightarrow", "rm",
        "times", "theta", "tau", "text", "textbf", "textit", "textrm", "to", "tan", "tanh", "triangle", "tfrac", "top", "tilde",
        "underline", "uparrow", "upsilon", "cup", "mu",
    };

    /// <summary>The length of the LaTeX command name starting at <paramref name="at"/>, or null when the letters there are not one.</summary>
    private static int? LatexCommandAt(string s, int at)
    {
        int end = at;
        while (end < s.Length && end - at < 16 && char.IsAsciiLetter(s[end])) end++;
        if (end - at < 2) return null;
        // The longest known command that the letters start with, followed by a non-letter (\frac{, \times 3, \neq).
        for (int length = end - at; length >= 2; length--)
            if (LatexCommands.Contains(s.Substring(at, length)) && (at + length >= s.Length || !char.IsAsciiLetter(s[at + length]))) return length;
        return null;
    }

    private static List<object?> ParseSequence(string s, ref int i, char close, int depth) => ParseSequence(s, ref i, close, depth, out _);

    private static List<object?> ParseSequence(string s, ref int i, char close, int depth, out bool sawComma)
    {
        i++;
        sawComma = false;
        var items = new List<object?>();
        while (true)
        {
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == close) { i++; return items; }
            items.Add(ParseValue(s, ref i, depth + 1));
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == ',') { i++; sawComma = true; continue; }
            if (i < s.Length && s[i] == close) { i++; return items; }
            throw new FormatException("expected a separator");
        }
    }

    /// <summary>An object (<c>{"k": v}</c>, keys may be bare or single-quoted) or a Python set (<c>{1, 2}</c>).</summary>
    private static object ParseBraces(string s, ref int i, int depth)
    {
        i++;
        SkipSpace(s, ref i);
        if (i < s.Length && s[i] == '}') { i++; return new List<KeyValuePair<string, object?>>(); }
        var pairs = new List<KeyValuePair<string, object?>>();
        List<object?>? setItems = null;
        while (true)
        {
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == '}') { i++; break; }
            object? key = i < s.Length && (char.IsLetter(s[i]) || s[i] == '_') ? BareKeyOrWord(s, ref i) : ParseValue(s, ref i, depth + 1);
            SkipSpace(s, ref i);
            if (setItems is null && pairs.Count == 0 && i < s.Length && s[i] is ',' or '}')
                setItems = [];
            if (setItems is not null)
            {
                if (key is BareKey) throw new FormatException("bare word in a set");
                setItems.Add(key);
            }
            else
            {
                if (i >= s.Length || s[i] != ':') throw new FormatException("expected ':'");
                i++;
                string name = key switch
                {
                    BareKey bare => bare.Name,
                    string text => text,
                    LiteralNumber number => number.Text,
                    _ => Canonical.Of(key),
                };
                pairs.Add(new(name, ParseValue(s, ref i, depth + 1)));
            }
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == ',') { i++; continue; }
            if (i < s.Length && s[i] == '}') { i++; break; }
            throw new FormatException("expected ',' or '}'");
        }
        return setItems is not null ? new LiteralSet(setItems) : pairs;
    }

    private sealed record BareKey(string Name);

    private static object? BareKeyOrWord(string s, ref int i)
    {
        int start = i;
        while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
        string word = s[start..i];
        return word switch
        {
            "true" or "True" => true,
            "false" or "False" => false,
            "null" or "None" => null,
            _ => new BareKey(word),
        };
    }

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
    }

    /// <summary>One spelling per value: Python's repr style, numbers by value, tuples as lists, sets and dict keys sorted.</summary>
    internal static class Canonical
    {
        public static string Of(object? value)
        {
            var builder = new StringBuilder();
            Write(builder, value, topLevel: true);
            return builder.ToString();
        }

        private static void Write(StringBuilder b, object? value, bool topLevel)
        {
            switch (value)
            {
                case null: b.Append("None"); break;
                case bool flag: b.Append(flag ? "True" : "False"); break;
                case string text when topLevel: b.Append(text); break;
                case string text: b.Append('\'').Append(text.Replace("\\", "\\\\").Replace("'", "\\'").Replace("\n", "\\n")).Append('\''); break;
                case LiteralNumber number: b.Append(Number(number.Text)); break;
                case LiteralTuple tuple: WriteItems(b, tuple.Items, '[', ']', sort: false); break;
                case LiteralSet set: WriteItems(b, set.Items, '{', '}', sort: true); break;
                case List<object?> list: WriteItems(b, list, '[', ']', sort: false); break;
                case List<KeyValuePair<string, object?>> pairs:
                    b.Append('{');
                    bool first = true;
                    foreach (var pair in pairs.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        if (!first) b.Append(", ");
                        first = false;
                        Write(b, pair.Key, topLevel: false);
                        b.Append(": ");
                        Write(b, pair.Value, topLevel: false);
                    }
                    b.Append('}');
                    break;
                default: b.Append(value); break;
            }
        }

        private static void WriteItems(StringBuilder b, List<object?> items, char open, char close, bool sort)
        {
            IEnumerable<string> parts = items.Select(item => { var inner = new StringBuilder(); Write(inner, item, topLevel: false); return inner.ToString(); });
            if (sort) parts = parts.Order(StringComparer.Ordinal);
            b.Append(open).AppendJoin(", ", parts).Append(close);
        }

        /// <summary>Numbers by value: 2, 2.0 and 2e0 agree; 0.10 is 0.1; underscores and a leading + are dropped.</summary>
        public static string Number(string text)
        {
            string cleaned = text.Replace("_", "").TrimStart('+');
            if (MathNormalizer.TryRational(cleaned, out var numerator, out var denominator))
                return MathNormalizer.Canonical(numerator, denominator);
            return double.TryParse(cleaned, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d)
                ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : cleaned;
        }
    }
}
