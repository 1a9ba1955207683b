using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Avengers.Data;
using Avengers.Answers;

namespace Avengers.Collection;

/// <summary>
/// Turns the question files people have into the questions <c>collect</c> reads: JSON Lines, a JSON array,
/// CSV/TSV (with a header) or Parquet, with a field mapping (<c>query=question,gold=answer,choices=options,dataset=subject,id=...</c>)
/// and recognisers for common shapes: GSM8K answers ending in <c>#### 42</c> (the number is the gold, a math
/// question), MMLU-style rows with option columns A to D and an answer letter, and a choices list with an
/// integer answer index. Every skipped row is reported with its reason; a mapping naming a field the file does
/// not have stops with file, line and field.
/// </summary>
public static partial class QuestionImporter
{
    /// <summary>The fields a question file maps onto (query, gold, choices, dataset, id, answer_type).</summary>
    public static readonly IReadOnlyList<string> Targets = ["query", "gold", "choices", "dataset", "id", "answer_type"];

    private static readonly Dictionary<string, string[]> Defaults = new(StringComparer.Ordinal)
    {
        ["query"] = ["query", "question", "prompt", "problem", "input"],
        ["gold"] = ["gold", "answer", "target", "label", "solution", "output"],
        ["choices"] = ["choices", "options"],
        ["dataset"] = ["dataset", "subject", "task", "category", "type", "level"],
        ["id"] = ["id", "question_id", "idx", "task_id"],
        ["answer_type"] = ["answer_type"],
    };

    /// <param name="map">Target field name to the file's field name; unmapped targets use the usual names.</param>
    public static async Task<QuestionImportReport> ImportAsync(string path, string outputPath, IReadOnlyDictionary<string, string>? map = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"questions file not found: {path}", path);
        map ??= new Dictionary<string, string>();
        foreach (string target in map.Keys)
            if (!Targets.Contains(target)) throw new ArgumentException($"--map: unknown target '{target}'; expected {string.Join(", ", Targets)}");

        var skipped = new List<string>();
        var lines = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        bool checkedMapping = false;
        int rowNumber = 0;
        await foreach (var (line, row) in ReadRowsAsync(path, cancellationToken).ConfigureAwait(false))
        {
            rowNumber++; // ids default to the row's number, 1 for the first question in every format (a CSV's line numbers count its header)
            if (!checkedMapping)
            {
                // A mapping that names a field the file does not have is a mistake to report at once, not row by row.
                foreach (var (target, field) in map)
                    if (!row.ContainsKey(field))
                        throw new BenchmarkFormatException(path, line, field, $"--map {target}={field}: the file has no field '{field}' (it has {string.Join(", ", row.Keys)})");
                checkedMapping = true;
            }
            string? query = Text(Pick(row, map, "query"));
            if (string.IsNullOrWhiteSpace(query)) { skipped.Add($"line {line}: no question text (fields: {string.Join(", ", row.Keys)})"); continue; }
            string id = Text(Pick(row, map, "id")) ?? rowNumber.ToString(CultureInfo.InvariantCulture);
            if (!ids.Add(id)) { skipped.Add($"line {line}: duplicate id '{id}'"); continue; }
            string dataset = Text(Pick(row, map, "dataset")) ?? Path.GetFileNameWithoutExtension(path);
            object? goldValue = Pick(row, map, "gold");
            string? gold = Text(goldValue);
            List<string>? choices = List(Pick(row, map, "choices"));
            string? type = Text(Pick(row, map, "answer_type"));

            // MMLU-style option columns A, B, C, D (and on), with the answer given as a letter.
            if (choices is null && row.ContainsKey("A") && row.ContainsKey("B"))
            {
                choices = [];
                for (char letter = 'A'; letter <= 'J' && row.TryGetValue(letter.ToString(), out object? option); letter++) choices.Add(Text(option) ?? "");
            }
            // GSM8K: the worked solution ends in "#### 42"; the number is the gold answer.
            if (gold is not null && HashAnswer().Match(gold) is { Success: true } hashes)
            {
                gold = hashes.Groups["a"].Value.Trim().Replace(",", "");
                type ??= "math";
            }
            // A choices list with an integer answer index: the index becomes its letter.
            if (choices is { Count: > 1 } && goldValue is long or int && Convert.ToInt64(goldValue, CultureInfo.InvariantCulture) is long index && index >= 0 && index < choices.Count && choices.Count <= 26)
                gold = ((char)('A' + index)).ToString();
            else if (choices is { Count: > 1 } && gold is not null && int.TryParse(gold, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) && parsed >= 0 && parsed < choices.Count && choices.Count <= 26
                     && !choices.Contains(gold))
                gold = ((char)('A' + parsed)).ToString();
            type ??= choices is { Count: > 1 } ? "choice" : null;
            if (type is not null)
            {
                if (!AnswerTypes.TryParse(type, out AnswerType parsedType))
                    throw new BenchmarkFormatException(path, line, FieldOf(row, map, "answer_type"), $"unknown answer type '{type}'; expected one of {string.Join(", ", AnswerTypes.Names)}");
                type = parsedType.ToWireName();
                if (parsedType == AnswerType.Choice && gold is not null) gold = ChoiceGold(path, line, FieldOf(row, map, "gold"), gold, choices);
            }

            var record = new Dictionary<string, object?> { ["id"] = id, ["dataset"] = dataset, ["query"] = query };
            if (gold is not null) record["gold"] = gold;
            if (choices is not null) record["choices"] = choices;
            if (type is not null) record["answer_type"] = type;
            lines.Add(JsonSerializer.Serialize(record, OutputJson));
        }
        if (lines.Count == 0) throw new BenchmarkFormatException(path, 1, "(file)", skipped.Count > 0 ? $"no question could be read ({skipped[0]})" : "the file holds no rows");
        await IO.AtomicFile.WriteAllTextAsync(outputPath, string.Join("\n", lines) + "\n", cancellationToken).ConfigureAwait(false);
        return new QuestionImportReport(lines.Count, skipped, outputPath);
    }

    /// <summary>UTF-8 as is (é, +, ') in the output, not \u escapes: it is read by programs and people alike.</summary>
    private static readonly JsonSerializerOptions OutputJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Strict UTF-8: invalid bytes are an error naming the line, never silently replaced.</summary>
    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A choice question's gold as its option letter: a letter in range, or an option's text; anything else is refused.</summary>
    private static string ChoiceGold(string path, int line, string field, string gold, List<string>? choices)
    {
        string trimmed = gold.Trim();
        if (choices is not { Count: > 0 } options)
            return trimmed.Length == 1 && char.IsAsciiLetter(trimmed[0]) ? trimmed.ToUpperInvariant()
                : throw new BenchmarkFormatException(path, line, field, $"a choice question without options needs a letter as its gold, found '{Shorten(gold)}'");
        char last = (char)('A' + Math.Min(options.Count, 26) - 1);
        if (trimmed.Length == 1 && char.ToUpperInvariant(trimmed[0]) is char letter && letter >= 'A' && letter <= last) return letter.ToString();
        int byText = options.FindIndex(o => string.Equals(o.Trim(), trimmed, StringComparison.Ordinal));
        if (byText >= 0 && byText < 26 && trimmed.Length > 0) return ((char)('A' + byText)).ToString();
        throw new BenchmarkFormatException(path, line, field,
            $"'{Shorten(gold)}' is not an option of this {options.Count}-option question (expected a letter A to {last}, an index 0 to {options.Count - 1}, or an option's text)");
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "...";

    /// <summary>The file's field a target is read from (the mapped one, else the first usual name the row has).</summary>
    private static string FieldOf(IReadOnlyDictionary<string, object?> row, IReadOnlyDictionary<string, string> map, string target)
        => map.GetValueOrDefault(target) ?? Defaults[target].FirstOrDefault(name => row.TryGetValue(name, out object? value) && value is not null) ?? target;

    private static object? Pick(IReadOnlyDictionary<string, object?> row, IReadOnlyDictionary<string, string> map, string target)
    {
        if (map.TryGetValue(target, out string? field)) return row.GetValueOrDefault(field);
        foreach (string name in Defaults[target])
            if (row.TryGetValue(name, out object? value) && value is not null) return value;
        return null;
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement { ValueKind: JsonValueKind.Null } => null,
        JsonElement e => e.GetRawText(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static List<string>? List(object? value) => value switch
    {
        null => null,
        JsonElement { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Select(x => Text(x) ?? "").ToList(),
        string s when s.TrimStart().StartsWith('[') => TryJsonList(s) ?? TryPythonList(s),
        System.Collections.IEnumerable items and not string => items.Cast<object?>().Select(x => Text(x) ?? "").ToList(),
        _ => null,
    };

    private static List<string>? TryJsonList(string text)
    {
        try { return JsonSerializer.Deserialize<List<JsonElement>>(text)?.Select(e => Text(e) ?? "").ToList(); }
        catch (JsonException) { return null; }
    }

    private static List<string>? TryPythonList(string text)
    {
        try { return Answers.LenientJson.AsStrings(Answers.LenientJson.Parse(text)); }
        catch (FormatException) { return null; }
    }

    [GeneratedRegex(@"####\s*(?<a>[^\n]+)\s*$")]
    private static partial Regex HashAnswer();

    /// <summary>Rows as field name to value, with the 1-based line (or row) number, from any of the supported formats.</summary>
    private static async IAsyncEnumerable<(int Line, IReadOnlyDictionary<string, object?> Row)> ReadRowsAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        switch (extension)
        {
            case ".jsonl" or ".ndjson":
                {
                    foreach (var (line, text) in Utf8Lines(path))
                    {
                        if (string.IsNullOrWhiteSpace(text)) continue;
                        yield return (line, ObjectRow(path, line, text));
                    }
                    break;
                }
            case ".json":
                {
                    string all;
                    try { all = File.ReadAllText(path, StrictUtf8); }
                    catch (System.Text.DecoderFallbackException) { throw new BenchmarkFormatException(path, 1, "(file)", "not valid UTF-8 (save the file as UTF-8)"); }
                    using JsonDocument document = ParseJson(path, all, 1);
                    JsonElement array = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement
                        : document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("data", out JsonElement data) && data.ValueKind == JsonValueKind.Array ? data
                        : throw new BenchmarkFormatException(path, 1, "(root)", "expected an array of question objects (or an object with a 'data' array)");
                    int index = 0;
                    foreach (JsonElement item in array.EnumerateArray())
                    {
                        index++;
                        if (item.ValueKind != JsonValueKind.Object) throw new BenchmarkFormatException(path, index, $"[{index - 1}]", $"expected an object, found {item.ValueKind}");
                        yield return (index, item.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal));
                    }
                    break;
                }
            case ".csv" or ".tsv":
                {
                    CheckUtf8(path);
                    var options = new CsvHelper.CsvReaderOptions { Separator = extension == ".tsv" ? '\t' : ',', HasHeader = true, AllowLineBreaksInQuotes = true, TrackLineNumbers = true };
                    using CsvHelper.CsvReader csv = CsvHelper.CsvReader.FromFile(path, options, FileOptions.SequentialScan);
                    await csv.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
                    var header = csv.Headers.ToArray();
                    while (await csv.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        // A quoted field may hold line breaks; one that does and leaves the row with another number of fields
                        // than the header is an unclosed quote that swallowed the rows after it.
                        if (csv.FieldCount != header.Length && Enumerable.Range(0, csv.FieldCount).Any(i => csv.GetString(i).Contains('\n')))
                            throw new BenchmarkFormatException(path, (int)csv.LineNumber, "(row)",
                                $"a quoted field is not closed: it runs over the following lines, leaving {csv.FieldCount} field(s) for {header.Length} columns");
                        var row = new Dictionary<string, object?>(StringComparer.Ordinal);
                        for (int i = 0; i < header.Length && i < csv.FieldCount; i++) row[header[i]] = csv.GetString(i);
                        yield return ((int)csv.LineNumber, row);
                    }
                    break;
                }
            case ".parquet":
                {
                    // Rows as dictionaries (list columns such as choices come back as lists).
                    CheckParquetMagic(path);
                    await using FileStream stream = File.OpenRead(path);
                    var rows = new List<IDictionary<string, object?>>();
                    try
                    {
                        var untyped = await Parquet.Serialization.ParquetSerializer.DeserializeUntypedAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                        foreach (var row in untyped.Data) rows.Add(row!);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        throw new BenchmarkFormatException(path, 1, "(file)", "a damaged or unsupported Parquet file: its rows could not be read");
                    }
                    var result = (Data: rows, 0);
                    int rowNumber = 0;
                    foreach (var row in result.Data)
                        yield return (++rowNumber, row.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal));
                    break;
                }
            default:
                throw new ArgumentException($"{path}: unknown question file type '{extension}'; expected .jsonl, .json, .csv, .tsv or .parquet");
        }
    }

    /// <summary>A Parquet file starts and ends with "PAR1": anything else is refused by name, not by the reader's arithmetic.</summary>
    private static void CheckParquetMagic(string path)
    {
        using FileStream file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4], tail = stackalloc byte[4];
        bool ok = file.Length >= 12 && file.Read(head) == 4 && file.Seek(-4, SeekOrigin.End) >= 0 && file.Read(tail) == 4
            && head.SequenceEqual("PAR1"u8) && tail.SequenceEqual("PAR1"u8);
        if (!ok) throw new BenchmarkFormatException(path, 1, "(file)", "not a Parquet file (it does not begin and end with 'PAR1')");
    }

    /// <summary>The file's lines, each checked to be UTF-8 (a byte-order mark is dropped): a bad byte is refused with its line.</summary>
    private static IEnumerable<(int Line, string Text)> Utf8Lines(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0, line = 0;
        while (start < bytes.Length)
        {
            line++;
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0) end = bytes.Length;
            ReadOnlySpan<byte> span = bytes.AsSpan(start, end - start);
            if (!System.Text.Unicode.Utf8.IsValid(span)) throw new BenchmarkFormatException(path, line, "(line)", "not valid UTF-8 (save the file as UTF-8)");
            yield return (line, StrictUtf8.GetString(span).TrimEnd('\r'));
            start = end + 1;
        }
    }

    /// <summary>Refuses a file with invalid UTF-8, naming the first bad line, before any row is read.</summary>
    private static void CheckUtf8(string path)
    {
        foreach (var _ in Utf8Lines(path)) { }
    }

    private static Dictionary<string, object?> ObjectRow(string path, int line, string text)
    {
        using JsonDocument document = ParseJson(path, text, line);
        if (document.RootElement.ValueKind != JsonValueKind.Object) throw new BenchmarkFormatException(path, line, "(line)", $"expected a JSON object, found {document.RootElement.ValueKind}");
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal);
    }

    private static JsonDocument ParseJson(string path, string text, int line)
    {
        try { return JsonDocument.Parse(text); }
        catch (JsonException ex) { throw new BenchmarkFormatException(path, line + (int)(ex.LineNumber ?? 0), "(json)", "not valid JSON"); }
    }
}
