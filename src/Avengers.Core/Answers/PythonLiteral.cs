using System.Text;

namespace Avengers.Answers;

/// <summary>
/// Reads the small subset of Python literal syntax the LLMRouter metadata uses for choices:
/// strings, lists, tuples and dicts of those, None, numbers (kept as text).
/// </summary>
internal static class PythonLiteral
{
    /// <returns>A string, a <c>List&lt;object?&gt;</c>, a <c>Dictionary&lt;string, object?&gt;</c>, or null for None.</returns>
    /// <exception cref="FormatException">The text is not such a literal; the message gives the offset.</exception>
    public static object? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int position = 0;
        object? value = ParseValue(text, ref position);
        SkipSpace(text, ref position);
        if (position != text.Length) throw new FormatException($"unexpected '{text[position]}' at offset {position}");
        return value;
    }

    private static object? ParseValue(string s, ref int i)
    {
        SkipSpace(s, ref i);
        if (i >= s.Length) throw new FormatException("unexpected end of literal");
        char c = s[i];
        if (c is '\'' or '"') return ParseString(s, ref i);
        if (c is '[' or '(') return ParseList(s, ref i, c == '[' ? ']' : ')');
        if (c == '{') return ParseDict(s, ref i);
        int start = i;
        while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] is '.' or '-' or '+' or '_')) i++;
        if (i == start) throw new FormatException($"unexpected '{c}' at offset {i}");
        string word = s[start..i];
        return word == "None" ? null : word;
    }

    private static string ParseString(string s, ref int i)
    {
        char quote = s[i++];
        var builder = new StringBuilder();
        while (i < s.Length && s[i] != quote)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                char next = s[i + 1];
                builder.Append(next switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '\\' => '\\', '\'' => '\'', '"' => '"', _ => next });
                if (next is not ('n' or 't' or 'r' or '\\' or '\'' or '"')) builder.Insert(builder.Length - 1, '\\');
                i += 2;
            }
            else builder.Append(s[i++]);
        }
        if (i >= s.Length) throw new FormatException("unterminated string");
        i++;
        return builder.ToString();
    }

    private static List<object?> ParseList(string s, ref int i, char close)
    {
        i++;
        var items = new List<object?>();
        while (true)
        {
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == close) { i++; return items; }
            items.Add(ParseValue(s, ref i));
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == ',') { i++; continue; }
            if (i < s.Length && s[i] == close) { i++; return items; }
            throw new FormatException($"expected ',' or '{close}' at offset {i}");
        }
    }

    private static Dictionary<string, object?> ParseDict(string s, ref int i)
    {
        i++;
        var items = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (true)
        {
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == '}') { i++; return items; }
            if (ParseValue(s, ref i) is not string key) throw new FormatException($"dict key at offset {i} is not a string");
            SkipSpace(s, ref i);
            if (i >= s.Length || s[i] != ':') throw new FormatException($"expected ':' at offset {i}");
            i++;
            items[key] = ParseValue(s, ref i);
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == ',') { i++; continue; }
            if (i < s.Length && s[i] == '}') { i++; return items; }
            throw new FormatException($"expected ',' or '}}' at offset {i}");
        }
    }

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
    }
}
