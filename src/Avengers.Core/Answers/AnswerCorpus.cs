using System.Text.Json;

namespace Avengers.Answers;

/// <summary>
/// One response-to-answer case: a response as a model wrote it, its answer type, the answer it must read as (null: it
/// must read as no answer), and where the form comes from. Optionally the options, a grading rule, and the reader that
/// must find it.
/// </summary>
public sealed record AnswerCase(int Line, string Response, AnswerType Type, string? Expected, IReadOnlyList<string>? Choices, GradingRule? Rule, string? Reader, string? Source)
{
    /// <summary>Reads the response and compares with the expected answer (normalised as a gold answer is).</summary>
    public AnswerCaseResult Check()
    {
        ReadAnswer read = AnswerExtractor.Read(Response, Type, Choices, Rule);
        string? want = Expected is null ? null : AnswerExtractor.Normalize(Expected, Type, Choices, Rule);
        bool passed = string.Equals(read.Answer, want, StringComparison.Ordinal) && (Reader is null || Reader == read.Reader);
        return new AnswerCaseResult(this, passed, want, read.Answer, read.Reader);
    }
}

/// <summary>What a case read as: the normalised expectation, the answer found and the reader that found it.</summary>
public sealed record AnswerCaseResult(AnswerCase Case, bool Passed, string? Wanted, string? Got, string? Reader);

/// <summary>A corpus file that cannot be read: the file, the line and the field, and what was expected.</summary>
public sealed class AnswerCorpusException(string file, int line, string field, string message)
    : AvengersException($"{file}:{line}: {field}: {message}");

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
