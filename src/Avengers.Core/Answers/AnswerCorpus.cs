using System.Text.Json;

namespace Avengers.Answers;

/// <summary>
/// A JSONL file of <see cref="AnswerCase"/>s, one object per line:
/// <c>{"response": "...", "type": "math", "expected": "72", "source": "GSM8K's #### line"}</c>, with optional
/// <c>choices</c>, <c>rule</c> (a grading rule: regex, json_field, readers, skip_readers, case_sensitive) and
/// <c>reader</c>. The repository's own (tests/corpus/answers.jsonl) is what the tests run; users add theirs and check
/// them with <c>avengers answers check FILE</c>.
/// </summary>
public static class AnswerCorpus
{
    private static readonly HashSet<string> Fields = new(StringComparer.Ordinal) { "response", "type", "expected", "choices", "rule", "reader", "source" };

    /// <summary>Every case of the file, in order; blank lines are skipped.</summary>
    /// <exception cref="AnswerCorpusException">A line is not such an object (every field named with what it should hold).</exception>
    public static IReadOnlyList<AnswerCase> Load(string path)
    {
        var cases = new List<AnswerCase>();
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            cases.Add(Parse(line, path, number));
        }
        return cases;
    }

    private static AnswerCase Parse(string line, string file, int number)
    {
        JsonElement root;
        try { root = JsonDocument.Parse(line).RootElement; }
        catch (JsonException ex) { throw new AnswerCorpusException(file, number, "line", $"not a JSON object ({ex.Message})"); }
        if (root.ValueKind != JsonValueKind.Object) throw new AnswerCorpusException(file, number, "line", "expected a JSON object");
        foreach (JsonProperty property in root.EnumerateObject())
            if (!Fields.Contains(property.Name)) throw new AnswerCorpusException(file, number, property.Name, $"unknown field (expected {string.Join(", ", Fields)})");

        string response = root.TryGetProperty("response", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString()!
            : throw new AnswerCorpusException(file, number, "response", "expected the response as a string");
        if (!root.TryGetProperty("type", out JsonElement t) || t.ValueKind != JsonValueKind.String || !AnswerTypes.TryParse(t.GetString(), out AnswerType type))
            throw new AnswerCorpusException(file, number, "type", $"expected one of {string.Join(", ", AnswerTypes.Names)}");
        if (!root.TryGetProperty("expected", out JsonElement e) || e.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            throw new AnswerCorpusException(file, number, "expected", "expected the answer as a string, or null for a response that must read as no answer");
        IReadOnlyList<string>? choices = null;
        if (root.TryGetProperty("choices", out JsonElement c) && c.ValueKind != JsonValueKind.Null)
        {
            if (c.ValueKind != JsonValueKind.Array || c.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                throw new AnswerCorpusException(file, number, "choices", "expected an array of strings");
            choices = [.. c.EnumerateArray().Select(x => x.GetString()!)];
        }
        GradingRule? rule = null;
        if (root.TryGetProperty("rule", out JsonElement g) && g.ValueKind != JsonValueKind.Null)
        {
            try { rule = g.Deserialize<GradingRule>(); }
            catch (JsonException ex) { throw new AnswerCorpusException(file, number, "rule", $"expected a grading rule ({ex.Message})"); }
            if (rule!.Problems("rule") is { Count: > 0 } problems) throw new AnswerCorpusException(file, number, "rule", string.Join("; ", problems));
        }
        string? reader = Text(root, "reader", file, number);
        if (reader is not null && !AnswerReaders.KnownNames.Contains(reader))
            throw new AnswerCorpusException(file, number, "reader", $"unknown reader \"{reader}\" (known: {string.Join(", ", AnswerReaders.KnownNames.Order(StringComparer.Ordinal))})");
        return new AnswerCase(number, response, type, e.GetString(), choices, rule, reader, Text(root, "source", file, number));
    }

    private static string? Text(JsonElement root, string field, string file, int number)
    {
        if (!root.TryGetProperty(field, out JsonElement v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new AnswerCorpusException(file, number, field, "expected a string");
    }
}
