using System.Security.Cryptography;
using System.Text.Json;
using Avengers.Answers;

namespace Avengers.Data;

/// <summary>Reads the JSON Lines benchmark format (one query per line; see README "Data format").</summary>
public static class BenchmarkReader
{
    /// <summary>Reads and checks a benchmark file; malformed lines are errors unless skipped by the options.</summary>
    /// <exception cref="BenchmarkFormatException">The first malformed line (file, line and field named).</exception>
    public static Benchmark Read(string path, BenchmarkReadOptions? options = null) => ReadWithProblems(path, options).Benchmark;

    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="BenchmarkFormatException">A line is malformed and skipping was not allowed.</exception>
    public static BenchmarkReadResult ReadWithProblems(string path, BenchmarkReadOptions? options = null)
    {
        options ??= new BenchmarkReadOptions();
        if (!File.Exists(path)) throw new FileNotFoundException($"Benchmark file not found: {path}", path);

        var records = new List<BenchmarkRecord>();
        var problems = new List<BenchmarkFormatException>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var models = new SortedSet<string>(StringComparer.Ordinal);
        var fileModels = new SortedSet<string>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                BenchmarkRecord record = ParseLine(path, lineNumber, line, options.Models, fileModels);
                if (!ids.Add(record.Id))
                {
                    // A query may span several lines, each adding models' outputs (what 'collect' appends); for a
                    // model given twice the later line wins (a retried call).
                    int at = indexOf[record.Id];
                    BenchmarkRecord earlier = records[at];
                    if (earlier.Query != record.Query)
                        throw new BenchmarkFormatException(path, lineNumber, "id", $"id '{record.Id}' appears again with another query (expected the same query, adding model outputs)");
                    var merged = new Dictionary<string, IReadOnlyList<Sample>>(earlier.Outputs, StringComparer.Ordinal);
                    foreach (var (model, samples) in record.Outputs) merged[model] = samples;
                    records[at] = earlier with { Outputs = merged };
                }
                else
                {
                    indexOf[record.Id] = records.Count;
                    records.Add(record);
                }
                models.UnionWith(record.Outputs.Keys);
            }
            catch (BenchmarkFormatException ex) when (options.SkipInvalid)
            {
                problems.Add(ex);
            }
        }

        if (records.Count == 0)
            throw new BenchmarkFormatException(path, Math.Max(1, lineNumber), "(file)", problems.Count > 0
                ? $"none of its {problems.Count} records could be read (see the problems above)"
                : "the file holds no records (expected one JSON object per line; see README, Data format)");
        string hash;
        using (var stream = File.OpenRead(path)) hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        IReadOnlyList<BenchmarkRecord> graded = records;
        string? rulesPath = options.GradingRulesPath ?? (File.Exists(GradingRulesFile.BesidePath(path)) ? GradingRulesFile.BesidePath(path) : null);
        if (rulesPath is not null) graded = GradingRulesFile.Apply(records, GradingRulesFile.Load(rulesPath));
        graded = graded.Select(LiteralsKeepCase).ToList();
        return new BenchmarkReadResult(new Benchmark(path, graded, hash, [.. models]) { FileModels = [.. fileModels] }, problems);
    }

    /// <summary>
    /// An exact answer whose gold is a quoted or bracketed literal ('ABC', ["a", "B"]) compares with case, as Python's
    /// == does (a model that answers 'abc' for 'ABC' is wrong); plain-text gold answers stay case-folded. A rule that
    /// says case_sensitive either way wins.
    /// </summary>
    private static BenchmarkRecord LiteralsKeepCase(BenchmarkRecord record)
    {
        if (record.AnswerType != AnswerType.Exact || record.Grading?.CaseSensitive is not null || record.Gold is not string gold) return record;
        string g = gold.Trim();
        if (g.Length < 2 || g[0] is not ('\'' or '"' or '[' or '(' or '{') || !Avengers.Answers.LenientJson.TryParseWhole(g, out _)) return record;
        return record with { Grading = (record.Grading ?? new Avengers.Answers.GradingRule()) with { CaseSensitive = true } };
    }

    /// <summary>Parses one line of the format. <paramref name="file"/> and <paramref name="line"/> only label errors.</summary>
    /// <param name="keepModels">Keep only these models' outputs (null keeps all).</param>
    /// <param name="seenModels">Receives every model name of the line, kept or not.</param>
    public static BenchmarkRecord ParseLine(string file, int line, string json, IReadOnlySet<string>? keepModels = null, ISet<string>? seenModels = null)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException ex) { throw new BenchmarkFormatException(file, line, "(line)", JsonProblem.Describe(ex)); }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new BenchmarkFormatException(file, line, "(line)", $"expected a JSON object, found {root.ValueKind}");

            string id = RequiredString(root, "id", file, line, allowNumber: true);
            string dataset = RequiredString(root, "dataset", file, line);
            string query = RequiredString(root, "query", file, line);
            if (query.Length == 0) throw new BenchmarkFormatException(file, line, "query", "must not be empty");

            AnswerType answerType = AnswerType.Text;
            string? typeName = OptionalString(root, "answer_type", file, line);
            if (typeName is not null && !AnswerTypes.TryParse(typeName, out answerType))
                throw new BenchmarkFormatException(file, line, "answer_type", $"unknown answer type '{typeName}'; expected one of {string.Join(", ", AnswerTypes.Names)}");

            string? gold = OptionalString(root, "gold", file, line, allowNumber: true);
            bool inferred = typeName is null;
            string? split = OptionalString(root, "split", file, line);
            if (split is not null && split is not ("train" or "test"))
                throw new BenchmarkFormatException(file, line, "split", $"expected \"train\" or \"test\", found \"{split}\"");

            List<string>? choices = null;
            if (root.TryGetProperty("choices", out JsonElement choicesElement) && choicesElement.ValueKind != JsonValueKind.Null)
            {
                if (choicesElement.ValueKind != JsonValueKind.Array)
                    throw new BenchmarkFormatException(file, line, "choices", $"expected an array of strings, found {choicesElement.ValueKind}");
                choices = [];
                int i = 0;
                foreach (JsonElement choice in choicesElement.EnumerateArray())
                {
                    if (choice.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
                        throw new BenchmarkFormatException(file, line, $"choices[{i}]", $"expected a string, found {choice.ValueKind}");
                    choices.Add(choice.ValueKind == JsonValueKind.String ? choice.GetString()! : choice.GetRawText());
                    i++;
                }
            }

            if (!root.TryGetProperty("outputs", out JsonElement outputsElement))
                throw new BenchmarkFormatException(file, line, "outputs", "missing (expected an object of model name to list of samples)");
            if (outputsElement.ValueKind != JsonValueKind.Object)
                throw new BenchmarkFormatException(file, line, "outputs", $"expected an object of model name to list of samples, found {outputsElement.ValueKind}");

            var outputs = new Dictionary<string, IReadOnlyList<Sample>>(StringComparer.Ordinal);
            foreach (JsonProperty model in outputsElement.EnumerateObject())
            {
                string field = $"outputs.{model.Name}";
                if (model.Name.Length == 0) throw new BenchmarkFormatException(file, line, "outputs", "model name must not be empty");
                if (model.Value.ValueKind != JsonValueKind.Array)
                    throw new BenchmarkFormatException(file, line, field, $"expected a list of samples, found {model.Value.ValueKind}");
                seenModels?.Add(model.Name);
                if (keepModels is not null && !keepModels.Contains(model.Name)) continue;
                var samples = new List<Sample>(model.Value.GetArrayLength());
                int index = 0;
                foreach (JsonElement sample in model.Value.EnumerateArray())
                {
                    Sample parsed = ParseSample(sample, file, line, $"{field}[{index}]");
                    if (parsed.Error is null || parsed.Text is not null || parsed.Answer is not null || parsed.Score is not null) samples.Add(parsed); // failed calls never vote
                    index++;
                }
                outputs[model.Name] = samples;
            }

            return new BenchmarkRecord
            {
                Id = id,
                Dataset = dataset,
                Query = query,
                Gold = gold,
                Choices = choices,
                Split = split,
                Outputs = outputs,
                Grading = ParseRule(root, file, line),
                AnswerTypeInferred = inferred,
                AnswerType = inferred ? AnswerTypes.Infer(gold, choices) : answerType,
            };
        }
    }

    /// <summary>A record's optional <c>grading</c> object: regex, json_field, numeric_tolerance, case_sensitive, readers, skip_readers.</summary>
    private static GradingRule? ParseRule(JsonElement root, string file, int line)
    {
        if (!root.TryGetProperty("grading", out JsonElement element) || element.ValueKind == JsonValueKind.Null) return null;
        if (element.ValueKind != JsonValueKind.Object)
            throw new BenchmarkFormatException(file, line, "grading", $"expected an object with regex, json_field, numeric_tolerance or case_sensitive, found {element.ValueKind}");
        double? tolerance = null;
        bool? caseSensitive = null;
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (property.Name is not ("regex" or "json_field" or "numeric_tolerance" or "case_sensitive" or "readers" or "skip_readers"))
                throw new BenchmarkFormatException(file, line, "grading." + property.Name, "unknown setting; expected regex, json_field, numeric_tolerance, case_sensitive, readers or skip_readers");
        }
        List<string>? Names(string key)
        {
            if (!element.TryGetProperty(key, out JsonElement list) || list.ValueKind == JsonValueKind.Null) return null;
            if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                throw new BenchmarkFormatException(file, line, "grading." + key, "expected an array of reader names (see 'avengers answers readers')");
            return [.. list.EnumerateArray().Select(x => x.GetString()!)];
        }
        if (element.TryGetProperty("numeric_tolerance", out JsonElement t) && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind != JsonValueKind.Number) throw new BenchmarkFormatException(file, line, "grading.numeric_tolerance", $"expected a number, found {t.ValueKind}");
            tolerance = t.GetDouble();
        }
        if (element.TryGetProperty("case_sensitive", out JsonElement c) && c.ValueKind != JsonValueKind.Null)
        {
            if (c.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw new BenchmarkFormatException(file, line, "grading.case_sensitive", $"expected true or false, found {c.ValueKind}");
            caseSensitive = c.ValueKind == JsonValueKind.True;
        }
        var rule = new GradingRule
        {
            Regex = OptionalString(element, "regex", file, line, "grading."),
            JsonField = OptionalString(element, "json_field", file, line, "grading."),
            NumericTolerance = tolerance,
            CaseSensitive = caseSensitive,
            Readers = Names("readers"),
            SkipReaders = Names("skip_readers"),
        };
        IReadOnlyList<string> problems = rule.Problems("grading");
        if (problems.Count > 0) throw new BenchmarkFormatException(file, line, "grading", string.Join("; ", problems));
        return rule;
    }

    private static Sample ParseSample(JsonElement sample, string file, int line, string field)
    {
        if (sample.ValueKind != JsonValueKind.Object)
            throw new BenchmarkFormatException(file, line, field, $"expected a sample object with text, answer or score, found {sample.ValueKind}");
        string? text = OptionalString(sample, "text", file, line, field + ".");
        string? answer = OptionalString(sample, "answer", file, line, field + ".", allowNumber: true);
        double? score = null;
        if (sample.TryGetProperty("score", out JsonElement scoreElement) && scoreElement.ValueKind != JsonValueKind.Null)
        {
            if (scoreElement.ValueKind == JsonValueKind.True) score = 1;
            else if (scoreElement.ValueKind == JsonValueKind.False) score = 0;
            else if (scoreElement.ValueKind != JsonValueKind.Number || !scoreElement.TryGetDouble(out double value) || !double.IsFinite(value) || value < 0 || value > 1)
                throw new BenchmarkFormatException(file, line, field + ".score", $"expected a number in [0, 1], found {scoreElement.GetRawText()}");
            else score = value;
        }
        string? error = OptionalString(sample, "error", file, line, field + ".");
        if (text is null && answer is null && score is null && error is null)
            throw new BenchmarkFormatException(file, line, field, "a sample needs at least one of text, answer, score (or an error, for a call that failed)");
        long? Tokens(string name) => sample.TryGetProperty(name, out JsonElement t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out long v) && v >= 0 ? v : null;
        return new Sample(text, answer, score)
        {
            InputTokens = Tokens("input_tokens"),
            OutputTokens = Tokens("output_tokens"),
            LatencyMs = sample.TryGetProperty("latency_ms", out JsonElement l) && l.ValueKind == JsonValueKind.Number ? l.GetDouble() : null,
            FinishReason = OptionalString(sample, "finish_reason", file, line, field + "."),
            Error = error,
        };
    }

    private static string RequiredString(JsonElement obj, string name, string file, int line, bool allowNumber = false)
        => OptionalString(obj, name, file, line, allowNumber: allowNumber)
           ?? throw new BenchmarkFormatException(file, line, name, "missing (expected a string)");

    private static string? OptionalString(JsonElement obj, string name, string file, int line, string prefix = "", bool allowNumber = false)
    {
        if (!obj.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        if (allowNumber && value.ValueKind == JsonValueKind.Number) return value.GetRawText();
        throw new BenchmarkFormatException(file, line, prefix + name, $"expected a string, found {value.ValueKind}");
    }
}
