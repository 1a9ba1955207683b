using System.Text.Json;

namespace Avengers.Data.Import;

/// <summary>
/// Reads the per-sample logs of lm-evaluation-harness (<c>--log_samples</c>): one folder per model (its name is
/// the model's name), each holding <c>samples_&lt;task&gt;_&lt;time&gt;.jsonl</c> files whose lines carry <c>doc_id</c>,
/// <c>doc</c>, <c>target</c>, <c>resps</c>, <c>filtered_resps</c> and per-sample metrics (<c>acc</c>,
/// <c>exact_match</c>, ...). Writes the benchmark format: one record per task and document, each model's recorded
/// response as the sample text and its metric as the score, so a team that already evaluated its models there
/// calibrates without calling any model again. Every skipped line is reported with its reason.
/// </summary>
internal static class LmEvalImporter
{
    private static readonly string[] QueryFields = ["question", "problem", "query", "input", "prompt", "text", "sentence", "goal", "ctx"];
    private static readonly string[] MetricFields = ["acc", "exact_match", "acc_norm", "em", "f1", "pass@1", "score"];

    /// <summary>Converts lm-evaluation-harness sample logs (one folder per model) into the benchmark format.</summary>
    /// <param name="folder">Folder holding one folder of samples_*.jsonl per model.</param>
    /// <param name="outputPath">JSON Lines file to write.</param>
    public static ImportReport Import(string folder, string outputPath)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"lm-eval results folder not found: {folder}");
        var modelFolders = Directory.GetDirectories(folder).Where(d => Directory.EnumerateFiles(d, "samples_*.jsonl", SearchOption.AllDirectories).Any())
            .Order(StringComparer.Ordinal).ToList();
        if (modelFolders.Count == 0) throw new InvalidDataException($"{folder}: no model folder with samples_<task>_<time>.jsonl files (run lm-eval with --log_samples, one --output_path folder per model)");

        var notes = new List<string>();
        int skipped = 0;
        var records = new Dictionary<string, BenchmarkRecord>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (string modelFolder in modelFolders)
        {
            string model = Path.GetFileName(modelFolder);
            foreach (string file in Directory.EnumerateFiles(modelFolder, "samples_*.jsonl", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string task = TaskOf(Path.GetFileNameWithoutExtension(file));
                int lineNumber = 0;
                foreach (string line in File.ReadLines(file))
                {
                    lineNumber++;
                    if (string.IsNullOrWhiteSpace(line)) continue;
                    string? problem = null;
                    try
                    {
                        using JsonDocument document = JsonDocument.Parse(line);
                        JsonElement root = document.RootElement;
                        string docId = root.TryGetProperty("doc_id", out JsonElement d) ? d.GetRawText().Trim('"') : lineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        string? query = QueryOf(root);
                        if (query is null) { problem = "no question text in doc or arguments"; }
                        else
                        {
                            string id = $"{task}:{docId}";
                            string? text = root.TryGetProperty("resps", out JsonElement resps) ? FirstText(resps) : null;
                            string? filtered = root.TryGetProperty("filtered_resps", out JsonElement f) ? FirstText(f) : null;
                            double? score = MetricFields.Select(name => root.TryGetProperty(name, out JsonElement m) && m.ValueKind == JsonValueKind.Number ? m.GetDouble() : (double?)null)
                                .FirstOrDefault(v => v is not null);
                            if (score is double s && (s < 0 || s > 1)) score = null;
                            if (text is null && score is null) problem = "neither a text response nor a per-sample metric in [0, 1]";
                            else
                            {
                                var sample = new Sample(text ?? filtered, text is not null && filtered is not null && filtered != text ? filtered : null, score);
                                string? target = root.TryGetProperty("target", out JsonElement t) ? (t.ValueKind == JsonValueKind.String ? t.GetString() : t.GetRawText()) : null;
                                if (!records.TryGetValue(id, out BenchmarkRecord? record))
                                {
                                    record = new BenchmarkRecord { Id = id, Dataset = task, Query = query, AnswerType = AnswerType.Text, Gold = target, Outputs = new Dictionary<string, IReadOnlyList<Sample>>(StringComparer.Ordinal) };
                                    order.Add(id);
                                }
                                else if (record.Query != query) problem = $"document {docId} of {task} has another text than in an earlier model's log";
                                if (problem is null)
                                {
                                    var outputs = new Dictionary<string, IReadOnlyList<Sample>>(record.Outputs, StringComparer.Ordinal) { [model] = [sample] };
                                    records[id] = record with { Outputs = outputs };
                                }
                            }
                        }
                    }
                    catch (JsonException) { problem = "not valid JSON"; }
                    if (problem is not null)
                    {
                        skipped++;
                        if (notes.Count < 20) notes.Add($"{file}:{lineNumber}: skipped: {problem}");
                    }
                }
            }
        }
        BenchmarkWriter.Write(outputPath, order.Select(id => records[id]));
        notes.Insert(0, $"{modelFolders.Count} models ({string.Join(", ", modelFolders.Select(Path.GetFileName))}); answers graded by the logged per-sample metric");
        return new ImportReport(Path.GetFullPath(outputPath), records.Count, skipped, notes);
    }

    /// <summary>"samples_gsm8k_2024-05-01T12-00-00.123456" is task "gsm8k" (task names may contain underscores).</summary>
    private static string TaskOf(string fileName)
    {
        string rest = fileName["samples_".Length..];
        int last = rest.LastIndexOf('_');
        return last > 0 && rest.Length - last > 8 && char.IsAsciiDigit(rest[last + 1]) ? rest[..last] : rest;
    }

    private static string? QueryOf(JsonElement root)
    {
        if (root.TryGetProperty("doc", out JsonElement doc) && doc.ValueKind == JsonValueKind.Object)
            foreach (string name in QueryFields)
                if (doc.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()))
                    return value.GetString();
        // Else the prompt the harness built: arguments[0][0] (or arguments.gen_args_0.arg_0 in newer logs).
        if (root.TryGetProperty("arguments", out JsonElement arguments)) return FirstText(arguments);
        return null;
    }

    /// <summary>The first string in a nested array or object (the harness nests responses as [[text]] or {"gen_args_0": {"arg_0": text}}).</summary>
    private static string? FirstText(JsonElement element, int depth = 0)
    {
        if (depth > 4) return null;
        switch (element.ValueKind)
        {
            case JsonValueKind.String: return element.GetString();
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray()) if (FirstText(item, depth + 1) is string s) return s;
                return null;
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject()) if (FirstText(property.Value, depth + 1) is string s) return s;
                return null;
            default: return null;
        }
    }
}
