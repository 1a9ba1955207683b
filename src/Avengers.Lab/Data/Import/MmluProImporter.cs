using System.IO.Compression;
using System.Text.Json;
using Avengers.Answers;

namespace Avengers.Data.Import;

/// <summary>
/// Converts MMLU-Pro's <c>model_outputs_&lt;model&gt;_5shots.zip</c> files into the benchmark format:
/// one record per question id, the category as dataset, the full response text per model
/// (answers are re-extracted by the voting code; the upstream <c>pred</c> is ignored).
/// </summary>
public static class MmluProImporter
{
    private const string Prefix = "model_outputs_";
    private const string Suffix = "_5shots";

    /// <summary>The model name as the file names it, between <c>model_outputs_</c> and <c>_5shots</c>.</summary>
    public static string? ModelNameOf(string fileName)
    {
        string name = Path.GetFileNameWithoutExtension(fileName);
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith(Suffix, StringComparison.Ordinal)) return null;
        return name[Prefix.Length..^Suffix.Length];
    }

    /// <summary>Converts MMLU-Pro's recorded model outputs into the benchmark format.</summary>
    /// <param name="sourceDir">Folder of the original zip files.</param>
    /// <param name="outputPath">JSON Lines file to write.</param>
    /// <param name="models">Import only these models (null: all).</param>
    public static ImportReport Import(string sourceDir, string outputPath, IReadOnlySet<string>? models = null)
    {
        if (!Directory.Exists(sourceDir)) throw new DirectoryNotFoundException($"MMLU-Pro source folder not found: {sourceDir}");
        string[] zips = Directory.GetFiles(sourceDir, Prefix + "*" + Suffix + ".zip");
        Array.Sort(zips, StringComparer.Ordinal);
        if (zips.Length == 0) throw new FileNotFoundException($"no {Prefix}<model>{Suffix}.zip files in {sourceDir}");

        var questions = new SortedDictionary<long, Question>();
        var notes = new List<string>();
        int skipped = 0;
        foreach (string zip in zips)
        {
            string model = ModelNameOf(zip)!;
            if (models is not null && !models.Contains(model)) continue;
            int notObjects = 0, noText = 0;
            using ZipArchive archive = ZipFile.OpenRead(zip);
            ZipArchiveEntry entry = archive.Entries.FirstOrDefault(e => e.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                ?? throw new BenchmarkFormatException(zip, 0, "(archive)", "no .json entry inside");
            using Stream stream = entry.Open();
            using JsonDocument document = JsonDocument.Parse(stream);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new BenchmarkFormatException(zip, 1, "(file)", "expected a JSON array of records");
            int index = -1;
            foreach (JsonElement item in document.RootElement.EnumerateArray())
            {
                index++;
                if (item.ValueKind != JsonValueKind.Object) { notObjects++; continue; }
                long id = ReadId(item, zip, index);
                string text = item.TryGetProperty("generated_text", out JsonElement g) && g.ValueKind == JsonValueKind.String ? g.GetString()!
                    : item.TryGetProperty("model_outputs", out JsonElement mo) && mo.ValueKind == JsonValueKind.String ? mo.GetString()! : "";
                if (!questions.TryGetValue(id, out Question? question))
                {
                    question = ReadQuestion(item, zip, index);
                    questions.Add(id, question);
                }
                if (text.Length == 0) noText++;
                // An empty response is kept: it is a real (wrong) answer of that model, not missing data.
                question.Outputs[model] = [new Sample(Text: text)];
            }
            skipped += notObjects;
            if (notObjects > 0) notes.Add($"{Path.GetFileName(zip)}: skipped {notObjects} entries that are not objects");
            if (noText > 0) notes.Add($"{Path.GetFileName(zip)}: {noText} records with an empty response (kept; they never vote)");
        }

        var records = questions.Select(pair => new BenchmarkRecord
        {
            Id = pair.Key.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Dataset = pair.Value.Category,
            Query = pair.Value.Text,
            AnswerType = AnswerType.Choice,
            Gold = pair.Value.Gold,
            Choices = pair.Value.Options,
            Outputs = pair.Value.Outputs,
        }).ToList();
        BenchmarkWriter.Write(outputPath, records);
        return new ImportReport(outputPath, records.Count, skipped, notes);
    }

    private static long ReadId(JsonElement item, string zip, int index)
    {
        if (item.TryGetProperty("question_id", out JsonElement id))
        {
            if (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out long n)) return n;
            if (id.ValueKind == JsonValueKind.String && long.TryParse(id.GetString(), out n)) return n;
        }
        throw new BenchmarkFormatException(zip, 0, $"[{index}].question_id", "missing or not an integer");
    }

    private static Question ReadQuestion(JsonElement item, string zip, int index)
    {
        string Get(string name) => item.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
            : throw new BenchmarkFormatException(zip, 0, $"[{index}].{name}", "missing (expected a string)");
        var options = new List<string>();
        if (item.TryGetProperty("options", out JsonElement o) && o.ValueKind == JsonValueKind.Array)
            foreach (JsonElement option in o.EnumerateArray()) options.Add(option.ValueKind == JsonValueKind.String ? option.GetString()! : option.GetRawText());
        return new Question(Get("question"), Get("category"), Get("answer"), options);
    }

    private sealed record Question(string Text, string Category, string Gold, List<string> Options)
    {
        public SortedDictionary<string, IReadOnlyList<Sample>> Outputs { get; } = new(StringComparer.Ordinal);
    }
}
