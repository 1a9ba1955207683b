using System.Text.Json;
using Avengers.Answers;

namespace Avengers.Data.Import;

/// <summary>
/// Converts the LLMRouter data (train.json/test.json scores joined with default_query_*.jsonl metadata
/// by exact query text) into the benchmark format. Keeps LLMRouter's own split and task names.
/// </summary>
public static class LlmRouterImporter
{
    /// <summary>Metric name (LLMRouter) to answer type.</summary>
    public static AnswerType AnswerTypeOf(string? metric) => metric switch
    {
        "em_mc" => AnswerType.Choice,
        "MATH" or "GSM8K" => AnswerType.Math,
        "code_eval" => AnswerType.Code,
        _ => AnswerType.Text, // f1_score, commongen_coverage: graded by recorded score only
    };

    /// <summary>Converts LLMRouter's files in <paramref name="sourceDir"/> into the benchmark format.</summary>
    /// <param name="sourceDir">Folder of the original files.</param>
    /// <param name="outputPath">JSON Lines file to write.</param>
    public static ImportReport Import(string sourceDir, string outputPath)
    {
        var records = new List<BenchmarkRecord>();
        int unmatched = 0;
        foreach (string split in new[] { "train", "test" })
        {
            string scoresPath = Path.Combine(sourceDir, $"{split}.json");
            string metaPath = Path.Combine(sourceDir, $"default_query_{split}.jsonl");
            Dictionary<string, JsonElement> meta = ReadMeta(metaPath);
            using JsonDocument scores = ReadJson(scoresPath);
            if (scores.RootElement.ValueKind != JsonValueKind.Array)
                throw new BenchmarkFormatException(scoresPath, 1, "(file)", "expected a JSON array of {question, scores}");
            int index = 0;
            foreach (JsonElement item in scores.RootElement.EnumerateArray())
            {
                string field = $"[{index}]";
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("question", out JsonElement q) || q.ValueKind != JsonValueKind.String)
                    throw new BenchmarkFormatException(scoresPath, 1, field + ".question", "expected an object with a string 'question'");
                if (!item.TryGetProperty("scores", out JsonElement s) || s.ValueKind != JsonValueKind.Object)
                    throw new BenchmarkFormatException(scoresPath, 1, field + ".scores", "expected an object of model name to score");
                string query = q.GetString()!;
                var outputs = new Dictionary<string, IReadOnlyList<Sample>>(StringComparer.Ordinal);
                foreach (JsonProperty model in s.EnumerateObject())
                {
                    if (model.Value.ValueKind != JsonValueKind.Number)
                        throw new BenchmarkFormatException(scoresPath, 1, $"{field}.scores.{model.Name}", "expected a number");
                    outputs[model.Name] = [new Sample(Score: Math.Clamp(model.Value.GetDouble(), 0, 1))];
                }
                string dataset = "unknown";
                AnswerType type = AnswerType.Text;
                string? gold = null;
                IReadOnlyList<string>? choices = null;
                if (meta.TryGetValue(query, out JsonElement m))
                {
                    dataset = m.GetProperty("task_name").GetString() ?? "unknown";
                    string? metric = m.TryGetProperty("metric", out JsonElement me) ? me.GetString() : null;
                    type = AnswerTypeOf(metric);
                    gold = m.TryGetProperty("ground_truth", out JsonElement g) && g.ValueKind == JsonValueKind.String ? g.GetString() : null;
                    // Only multiple-choice tasks carry options there (code tasks keep their tests in the same field).
                    if (type == AnswerType.Choice && m.TryGetProperty("choices", out JsonElement c) && c.ValueKind == JsonValueKind.String)
                        choices = ParseChoices(c.GetString()!, metaPath, query);
                }
                else unmatched++;
                records.Add(new BenchmarkRecord
                {
                    Id = $"{split}-{index:D5}",
                    Dataset = dataset,
                    Query = query,
                    AnswerType = type,
                    Gold = gold,
                    Choices = choices,
                    Split = split,
                    Outputs = outputs,
                });
                index++;
            }
        }
        BenchmarkWriter.Write(outputPath, records);
        return new ImportReport(outputPath, records.Count, 0,
            unmatched == 0 ? [] : [$"{unmatched} questions had no metadata line (dataset 'unknown')"]);
    }

    /// <summary>Options from the Python-literal "choices" field: a list of strings, or a dict whose "text" holds them.</summary>
    internal static IReadOnlyList<string>? ParseChoices(string literal, string file, string query)
    {
        object? value;
        try { value = LenientJson.Parse(literal); }
        catch (FormatException ex)
        {
            throw new BenchmarkFormatException(file, 0, "choices", $"cannot read the choices of \"{Truncate(query)}\": {ex.Message}");
        }
        if (LenientJson.Field(value, "text") is object text) value = text;
        return LenientJson.AsStrings(value);
    }

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..57] + "...";

    private static Dictionary<string, JsonElement> ReadMeta(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"LLMRouter metadata file not found: {path}", path);
        var map = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonElement element;
            try { element = JsonDocument.Parse(text).RootElement; }
            catch (JsonException ex) { throw new BenchmarkFormatException(path, line, "(line)", JsonProblem.Describe(ex)); }
            if (!element.TryGetProperty("query", out JsonElement q) || q.ValueKind != JsonValueKind.String)
                throw new BenchmarkFormatException(path, line, "query", "missing (expected a string)");
            if (!element.TryGetProperty("task_name", out JsonElement t) || t.ValueKind != JsonValueKind.String)
                throw new BenchmarkFormatException(path, line, "task_name", "missing (expected a string)");
            map.TryAdd(q.GetString()!, element); // the first line wins for repeated questions
        }
        return map;
    }

    private static JsonDocument ReadJson(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"LLMRouter file not found: {path}", path);
        try { using var stream = File.OpenRead(path); return JsonDocument.Parse(stream); }
        catch (JsonException ex) { throw new BenchmarkFormatException(path, (int)(ex.LineNumber ?? 0) + 1, "(file)", JsonProblem.Describe(ex)); }
    }
}
