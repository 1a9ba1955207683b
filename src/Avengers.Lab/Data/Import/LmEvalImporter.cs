using System.Globalization;
using System.Text.Json;
using Avengers.Answers;

namespace Avengers.Data.Import;

/// <summary>
/// Reads the per-sample logs of lm-evaluation-harness (<c>--log_samples</c>, v0.4): one folder per model (its name
/// is the model's name), each holding <c>samples_&lt;task&gt;_&lt;time&gt;.jsonl</c> files whose lines carry
/// <c>doc_id</c>, <c>doc</c>, <c>target</c>, <c>arguments</c>, <c>resps</c>, <c>filtered_resps</c>, <c>filter</c> and
/// per-sample metrics. Writes the benchmark format, one record per task and document, so a team that already
/// evaluated its models there calibrates without calling any model again:
/// <list type="bullet">
/// <item>multiple-choice (loglikelihood) tasks: the model's answer is the option with the highest log-likelihood
/// (<c>acc</c>, or <c>acc_norm</c>'s per-character variant), written as its letter; the options are kept and the gold
/// index becomes its letter (answer type <c>choice</c>);</item>
/// <item>generative tasks: the response as the sample's text, the filter's extraction as its answer, the logged metric
/// as its score; a worked-solution target ending in <c>#### 42</c> (gsm8k) gives the gold 42 and the type <c>math</c>;</item>
/// <item>a document logged under several filters (strict-match, flexible-extract): one is kept (<c>--filter</c>,
/// default the first the task's log holds, which is the one lm-eval reports first) and the others are reported.</item>
/// </list>
/// A line that is not a JSON object, or a document with nothing to read, is skipped and reported with file and line;
/// an import that reads nothing is refused, and the previous output is never replaced then.
/// </summary>
public static class LmEvalImporter
{
    private static readonly string[] QueryFields = ["question", "problem", "query", "input", "prompt", "text", "sentence", "goal", "ctx"];
    private static readonly string[] MetricFields = ["acc", "exact_match", "acc_norm", "em", "f1", "pass@1", "score"];

    /// <summary>Converts lm-evaluation-harness sample logs (one folder per model) into the benchmark format.</summary>
    /// <param name="folder">Folder holding one folder of samples_*.jsonl per model.</param>
    /// <param name="outputPath">JSON Lines file to write (replaced atomically, only when something was read).</param>
    /// <param name="filter">The filter to keep when a task logs several (null: the first in each task's log).</param>
    /// <param name="choiceScore">How multiple-choice answers are read from the log-likelihoods.</param>
    public static ImportReport Import(string folder, string outputPath, string? filter = null, LmEvalChoiceScore choiceScore = LmEvalChoiceScore.Acc)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"lm-eval results folder not found: {folder}");
        var modelFolders = Directory.GetDirectories(folder).Where(d => Directory.EnumerateFiles(d, "samples_*.jsonl", SearchOption.AllDirectories).Any())
            .Order(StringComparer.Ordinal).ToList();
        if (modelFolders.Count == 0) throw new InvalidDataException($"{folder}: no model folder with samples_<task>_<time>.jsonl files (run lm-eval with --log_samples, one --output_path folder per model)");

        var problems = new List<string>();
        int skipped = 0;
        var records = new Dictionary<string, BenchmarkRecord>(StringComparer.Ordinal);
        var order = new List<string>();
        var filtersSeen = new Dictionary<string, List<string>>(StringComparer.Ordinal); // task -> filters in order of appearance
        var dropped = new Dictionary<(string Task, string Filter), int>();
        var kinds = new Dictionary<string, string>(StringComparer.Ordinal);
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
                    string? problem;
                    try { problem = ReadLine(line, lineNumber, task, model, filter, choiceScore, records, order, filtersSeen, dropped, kinds); }
                    catch (JsonException) { problem = "not valid JSON"; }
                    catch (InvalidOperationException) { problem = "a field has another JSON type than lm-eval writes"; }
                    if (problem is not null)
                    {
                        skipped++;
                        if (problems.Count < 20) problems.Add($"{file}:{lineNumber}: skipped: {problem}");
                    }
                }
            }
        }
        if (records.Count == 0)
            throw new InvalidDataException($"{folder}: no document could be read from the samples files, so {outputPath} was not written" +
                (problems.Count > 0 ? $"; first problem: {problems[0]}" : " (the files hold no lines)"));
        if (filter is not null && !filtersSeen.Values.Any(list => list.Contains(filter)))
            throw new ArgumentException($"--filter: no task logs a filter '{filter}'; the logs hold {string.Join(", ", filtersSeen.Values.SelectMany(f => f).Distinct().Order(StringComparer.Ordinal))}");

        BenchmarkWriter.Write(outputPath, order.Select(id => records[id]));
        var notes = new List<string> { $"{modelFolders.Count} models ({string.Join(", ", modelFolders.Select(Path.GetFileName))}); answers graded by the logged per-sample metric" };
        foreach (var (task, kind) in kinds.OrderBy(k => k.Key, StringComparer.Ordinal)) notes.Add($"{task}: {kind}");
        foreach (var ((task, droppedFilter), count) in dropped.OrderBy(d => d.Key.Task, StringComparer.Ordinal).ThenBy(d => d.Key.Filter, StringComparer.Ordinal))
            notes.Add($"{task}: kept filter '{KeptFilter(task, filter, filtersSeen)}', dropped {count} lines of filter '{droppedFilter}' (choose with --filter)");
        notes.AddRange(problems);
        return new ImportReport(Path.GetFullPath(outputPath), records.Count, skipped, notes);
    }

    private static string KeptFilter(string task, string? filter, Dictionary<string, List<string>> seen)
        => filter is not null && seen[task].Contains(filter) ? filter : seen[task][0];

    /// <summary>Reads one log line into the records; returns why it was skipped, or null.</summary>
    private static string? ReadLine(string line, int lineNumber, string task, string model, string? filter, LmEvalChoiceScore choiceScore,
        Dictionary<string, BenchmarkRecord> records, List<string> order, Dictionary<string, List<string>> filtersSeen, Dictionary<(string, string), int> dropped,
        Dictionary<string, string> kinds)
    {
        using JsonDocument document = JsonDocument.Parse(line);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) return $"expected a JSON object (one logged sample), found {root.ValueKind}";

        // Several filters log the same document once each: keep one, count the rest.
        string lineFilter = root.TryGetProperty("filter", out JsonElement f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "none";
        List<string> seen = filtersSeen.TryGetValue(task, out List<string>? known) ? known : filtersSeen[task] = [];
        if (!seen.Contains(lineFilter)) seen.Add(lineFilter);
        string kept = KeptFilter(task, filter, filtersSeen);
        if (lineFilter != kept)
        {
            dropped[(task, lineFilter)] = dropped.GetValueOrDefault((task, lineFilter)) + 1;
            return null;
        }

        string docId = root.TryGetProperty("doc_id", out JsonElement d) ? d.GetRawText().Trim('"') : lineNumber.ToString(CultureInfo.InvariantCulture);
        string id = $"{task}:{docId}";
        IReadOnlyList<(string Context, string Continuation)> arguments = ArgumentsOf(root);
        double? metric = MetricFields.Select(name => root.TryGetProperty(name, out JsonElement m) && m.ValueKind == JsonValueKind.Number ? m.GetDouble() : (double?)null)
            .FirstOrDefault(v => v is not null);
        if (metric is double value && (value < 0 || value > 1)) metric = null;

        BenchmarkRecord candidate;
        Sample sample;
        if (LogLikelihoods(root, arguments.Count) is { } lls)
        {
            // Multiple choice: the answer is the most likely option, as the task's metric reads it.
            List<string> choices = [.. arguments.Select(a => a.Continuation.Trim())];
            int pick = 0;
            for (int i = 1; i < lls.Length; i++)
                if (Score(lls, arguments, i, choiceScore) > Score(lls, arguments, pick, choiceScore)) pick = i;
            int? goldIndex = GoldIndex(root, arguments);
            string letter = ((char)('A' + pick)).ToString();
            double? score = goldIndex is int g ? (g == pick ? 1 : 0) : metric;
            sample = new Sample(letter, letter, score);
            string query = QueryOf(root) ?? arguments[0].Context;
            candidate = new BenchmarkRecord
            {
                Id = id,
                Dataset = task,
                Query = query,
                AnswerType = AnswerType.Choice,
                Choices = choices,
                Gold = goldIndex is int gi ? ((char)('A' + gi)).ToString() : null,
                Outputs = new Dictionary<string, IReadOnlyList<Sample>>(StringComparer.Ordinal),
            };
            kinds[task] = $"multiple choice: the option with the highest log-likelihood{(choiceScore == LmEvalChoiceScore.AccNorm ? " per character (acc_norm)" : " (acc)")}, gold as its letter";
        }
        else
        {
            string? query = QueryOf(root) ?? (arguments.Count > 0 ? arguments[0].Context : null);
            if (query is null) return "no question text in doc or arguments";
            string? text = root.TryGetProperty("resps", out JsonElement resps) ? FirstText(resps) : null;
            string? filtered = root.TryGetProperty("filtered_resps", out JsonElement fr) ? FirstText(fr) : null;
            if (text is null && metric is null) return "neither a text response nor a per-sample metric in [0, 1]";
            string? target = root.TryGetProperty("target", out JsonElement t) ? (t.ValueKind == JsonValueKind.String ? t.GetString() : t.GetRawText()) : null;
            // A worked solution ("... #### 72", gsm8k): the final answer is what the task's metric compares.
            AnswerType type = AnswerType.Text;
            if (target is not null && target.LastIndexOf("####", StringComparison.Ordinal) is int hashes and >= 0)
            {
                target = target[(hashes + 4)..].Trim().Replace(",", "", StringComparison.Ordinal);
                type = AnswerType.Math;
            }
            sample = new Sample(text ?? filtered, text is not null && filtered is not null && filtered != text ? filtered : null, metric);
            candidate = new BenchmarkRecord { Id = id, Dataset = task, Query = query, AnswerType = type, Gold = target, Outputs = new Dictionary<string, IReadOnlyList<Sample>>(StringComparer.Ordinal) };
            kinds[task] = type == AnswerType.Math ? "generative, worked-solution target: the final answer after '####' is the gold (math)" : "generative: graded by the logged metric";
        }

        if (!records.TryGetValue(id, out BenchmarkRecord? record))
        {
            record = candidate;
            order.Add(id);
        }
        else if (record.Query != candidate.Query) return $"document {docId} of {task} has another text than in an earlier model's log";
        records[id] = record with { Outputs = new Dictionary<string, IReadOnlyList<Sample>>(record.Outputs, StringComparer.Ordinal) { [model] = [sample] } };
        return null;
    }

    private static double Score(double[] lls, IReadOnlyList<(string Context, string Continuation)> arguments, int i, LmEvalChoiceScore how)
        => how == LmEvalChoiceScore.AccNorm ? lls[i] / Math.Max(1, arguments[i].Continuation.Length) : lls[i];

    /// <summary>
    /// The options' log-likelihoods when the line is a loglikelihood request per option: filtered_resps (or resps) holds
    /// one [log-likelihood, is-greedy] pair per argument (resps nests each once more); numbers may be written as strings.
    /// </summary>
    private static double[]? LogLikelihoods(JsonElement root, int options)
    {
        if (options < 2) return null;
        foreach (string name in new[] { "filtered_resps", "resps" })
        {
            if (!root.TryGetProperty(name, out JsonElement list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() != options) continue;
            var lls = new double[options];
            int i = 0;
            foreach (JsonElement entry in list.EnumerateArray())
            {
                JsonElement pair = entry;
                while (pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 1 && pair[0].ValueKind == JsonValueKind.Array) pair = pair[0];
                if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() < 1 || Number(pair[0]) is not double ll) return null;
                lls[i++] = ll;
            }
            return lls;
        }
        return null;
    }

    private static double? Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
        _ => null,
    };

    /// <summary>The gold option's index: an integer target, or a target equal to one option's continuation.</summary>
    private static int? GoldIndex(JsonElement root, IReadOnlyList<(string Context, string Continuation)> arguments)
    {
        if (!root.TryGetProperty("target", out JsonElement target)) return null;
        if (target.ValueKind == JsonValueKind.Number && target.TryGetInt32(out int index)) return index >= 0 && index < arguments.Count ? index : null;
        if (target.ValueKind != JsonValueKind.String) return null;
        string text = target.GetString()!.Trim();
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) && parsed >= 0 && parsed < arguments.Count
            && !arguments.Any(a => a.Continuation.Trim() == text)) return parsed;
        int byText = arguments.ToList().FindIndex(a => a.Continuation.Trim() == text);
        return byText >= 0 ? byText : null;
    }

    /// <summary>The request arguments as (context, continuation): [["ctx", " cont"], ...] or {"gen_args_0": {"arg_0": ..., "arg_1": ...}, ...}.</summary>
    private static IReadOnlyList<(string Context, string Continuation)> ArgumentsOf(JsonElement root)
    {
        if (!root.TryGetProperty("arguments", out JsonElement arguments)) return [];
        IEnumerable<JsonElement> entries = arguments.ValueKind switch
        {
            JsonValueKind.Array => arguments.EnumerateArray(),
            JsonValueKind.Object => arguments.EnumerateObject().Select(p => p.Value),
            _ => [],
        };
        var result = new List<(string, string)>();
        foreach (JsonElement entry in entries)
        {
            JsonElement[] parts = entry.ValueKind switch
            {
                JsonValueKind.Array => [.. entry.EnumerateArray()],
                JsonValueKind.Object => [.. entry.EnumerateObject().Select(p => p.Value)],
                _ => [],
            };
            string context = parts.Length > 0 && parts[0].ValueKind == JsonValueKind.String ? parts[0].GetString()! : "";
            // A generation request's second argument is its settings object, not a continuation.
            string continuation = parts.Length > 1 && parts[1].ValueKind == JsonValueKind.String ? parts[1].GetString()! : "";
            result.Add((context, continuation));
        }
        return result;
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
