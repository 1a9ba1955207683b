using System.Text.Json;
using Avengers.Data;
using Avengers.Answers;

namespace Avengers.Collection;

/// <summary>
/// Reads a JSON Lines file of questions: <c>query</c> (or <c>question</c>, <c>prompt</c>), optional <c>id</c> (else the
/// line number), <c>dataset</c> (or <c>subject</c>, <c>task</c>), <c>gold</c> (or <c>answer</c>, <c>target</c>),
/// <c>choices</c> (or <c>options</c>) and <c>answer_type</c> (else: choice with choices, math for a GSM8K-style
/// "#### 42" gold or a number, exact otherwise). Errors name the file, line and field.
/// </summary>
public static class QuestionReader
{
    /// <summary>Reads a question file (JSON Lines) and checks every line.</summary>
    /// <exception cref="BenchmarkFormatException">A line is malformed (file, line and field named).</exception>
    public static IReadOnlyList<Question> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"questions file not found: {path}", path);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        bool jsonArray = extension == ".json" && File.ReadLines(path).Select(l => l.TrimStart()).FirstOrDefault(l => l.Length > 0)?.StartsWith('[') == true;
        if (extension is ".csv" or ".tsv" or ".parquet" || jsonArray)
            throw new InvalidDataException($"{path}: collect reads JSON Lines (one question object per line); convert this {(jsonArray ? "JSON array" : extension[1..].ToUpperInvariant())} file first: " +
                $"avengers import questions {path} -o questions.jsonl");
        var questions = new List<Question>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument document;
            try { document = JsonDocument.Parse(line); }
            catch (JsonException) { throw new BenchmarkFormatException(path, lineNumber, "(line)", "not valid JSON (expected one question object per line)"); }
            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw new BenchmarkFormatException(path, lineNumber, "(line)", $"expected a JSON object, found {root.ValueKind}");
                string query = First(root, path, lineNumber, "query", "question", "prompt")
                    ?? throw new BenchmarkFormatException(path, lineNumber, "query", "missing (expected 'query', 'question' or 'prompt' with the question text)");
                string id = First(root, path, lineNumber, "id") ?? lineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!ids.Add(id)) throw new BenchmarkFormatException(path, lineNumber, "id", $"duplicate id '{id}'");
                string dataset = First(root, path, lineNumber, "dataset", "subject", "task") ?? "default";
                string? gold = First(root, path, lineNumber, "gold", "answer", "target");
                List<string>? choices = null;
                foreach (string name in new[] { "choices", "options" })
                {
                    if (!root.TryGetProperty(name, out JsonElement c) || c.ValueKind == JsonValueKind.Null) continue;
                    if (c.ValueKind != JsonValueKind.Array) throw new BenchmarkFormatException(path, lineNumber, name, "expected a list of strings");
                    choices = c.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList();
                    break;
                }
                AnswerType type;
                string? typeName = First(root, path, lineNumber, "answer_type");
                if (typeName is not null)
                {
                    if (!AnswerTypes.TryParse(typeName, out type))
                        throw new BenchmarkFormatException(path, lineNumber, "answer_type", $"unknown answer type '{typeName}'; expected one of {string.Join(", ", AnswerTypes.Names)}");
                }
                else type = choices is { Count: > 1 } ? AnswerType.Choice
                    : gold is not null && (gold.Contains("####", StringComparison.Ordinal) || Avengers.Answers.MathNormalizer.TryRational(gold.Trim().Replace(",", ""), out _, out _)) ? AnswerType.Math
                    : AnswerType.Exact;
                if (type == AnswerType.Choice && gold is not null && int.TryParse(gold, out int index) && choices is not null && index >= 0 && index < choices.Count && choices.Count <= 26)
                    gold = ((char)('A' + index)).ToString(); // an answer index, as many question sets give it
                questions.Add(new Question(id, dataset, query, type, gold, choices));
            }
        }
        if (questions.Count == 0) throw new BenchmarkFormatException(path, Math.Max(1, lineNumber), "(file)", "the file holds no questions");
        return questions;
    }

    private static string? First(JsonElement root, string path, int line, params string[] names)
    {
        foreach (string name in names)
        {
            if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null) continue;
            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => throw new BenchmarkFormatException(path, line, name, $"expected a string, found {value.ValueKind}"),
            };
        }
        return null;
    }
}
