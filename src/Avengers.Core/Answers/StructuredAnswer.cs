using System.Text.RegularExpressions;

namespace Avengers.Answers;

/// <summary>
/// Finds the answer a model wrote as JSON: a response that is, or contains (fenced in ```json or not), an
/// object with an answer field (<c>{"reasoning": "...", "answer": "bcksrutq"}</c>). The last such object wins
/// (models conclude at the end). Tolerates single quotes, trailing commas, raw newlines in strings and text
/// around the object. Bounded work: at most a few candidate objects are parsed, each in one linear pass.
/// </summary>
public static partial class StructuredAnswer
{
    /// <summary>Field names read as the answer, most specific first (compared ignoring case, spaces and underscores).</summary>
    public static readonly IReadOnlyList<string> AnswerFields = ["finalanswer", "answer", "output", "result", "prediction", "choice", "label"];

    private const int MaxCandidates = 8;

    /// <summary>The answer field's value as text, or null. A string value is returned as is; other values in literal form.</summary>
    /// <param name="field">Read this field instead of the usual answer fields (a grading rule's <c>json_field</c>).</param>
    public static string? Find(string? text, string? field = null)
    {
        if (string.IsNullOrEmpty(text) || text.IndexOf('{') < 0) return null;
        MatchCollection keys = QuotedOrBareKey().Matches(text);
        int tried = 0;
        int skipBefore = int.MaxValue;
        for (int m = keys.Count - 1; m >= 0 && tried < MaxCandidates; m--)
        {
            Match key = keys[m];
            if (key.Index >= skipBefore) continue;
            if (!IsWanted(key.Groups["k"].Value, field)) continue;
            tried++;
            int open = EnclosingBrace(text, key.Index);
            if (open < 0) continue;
            if (!LenientJson.TryParseValue(text, open, out object? value, out _) || value is not List<KeyValuePair<string, object?>> pairs) continue;
            skipBefore = open;
            object? answer = Pick(pairs, field, depth: 0, out bool found);
            if (!found) continue;
            return answer is string s ? s : LenientJson.Canonical.Of(answer);
        }
        return null;
    }

    private static bool IsWanted(string key, string? field)
        => field is not null ? string.Equals(key, field, StringComparison.OrdinalIgnoreCase) : AnswerFields.Contains(Squash(key));

    private static string Squash(string key) => key.Replace("_", "").Replace(" ", "").Replace("-", "").ToLowerInvariant();

    /// <summary>The answer field of the object (or of an object nested one level down), most specific name first.</summary>
    private static object? Pick(List<KeyValuePair<string, object?>> pairs, string? field, int depth, out bool found)
    {
        if (field is not null)
        {
            foreach (var pair in pairs)
                if (string.Equals(pair.Key, field, StringComparison.OrdinalIgnoreCase)) { found = true; return pair.Value; }
        }
        else
        {
            foreach (string name in AnswerFields)
                foreach (var pair in pairs)
                    if (Squash(pair.Key) == name && pair.Value is not List<KeyValuePair<string, object?>>) { found = true; return pair.Value; }
        }
        if (depth == 0)
        {
            foreach (var pair in pairs)
            {
                if (pair.Value is List<KeyValuePair<string, object?>> inner)
                {
                    object? value = Pick(inner, field, depth + 1, out found);
                    if (found) return value;
                }
            }
        }
        // Last, an answer field whose value is itself an object with no answer field inside ({"answer": {"a": 1}}).
        if (field is null && depth == 0)
            foreach (string name in AnswerFields)
                foreach (var pair in pairs)
                    if (Squash(pair.Key) == name) { found = true; return pair.Value; }
        found = false;
        return null;
    }

    /// <summary>The '{' that opens the object holding the key at <paramref name="index"/> (-1 when none within reach).</summary>
    private static int EnclosingBrace(string text, int index)
    {
        int depth = 0;
        int limit = Math.Max(0, index - 20_000);
        for (int i = index - 1; i >= limit; i--)
        {
            char c = text[i];
            if (c == '}') depth++;
            else if (c == '{')
            {
                if (depth == 0) return i;
                depth--;
            }
        }
        return -1;
    }

    // A key: "name", 'name' or a bare identifier, followed by a colon.
    [GeneratedRegex(@"(?:""(?<k>[A-Za-z_][\w \-]{0,30})""|'(?<k>[A-Za-z_][\w \-]{0,30})'|(?<![\w""'])(?<k>[A-Za-z_]\w{0,30}))\s*:")]
    private static partial Regex QuotedOrBareKey();
}
