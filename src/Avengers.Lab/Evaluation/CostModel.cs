using System.Text.Json;
using Avengers.Data;
using FastBertTokenizer;

namespace Avengers.Evaluation;

/// <summary>
/// What a recorded sample cost: its prompt and output tokens (counted with a WordPiece tokenizer, the
/// all-MiniLM-L6-v2 vocabulary, so counts are comparable across models) times the model's prices.
/// Samples with only a score have no output text and cost their prompt only.
/// </summary>
public sealed class CostModel
{
    private readonly BertTokenizer _tokenizer = new();
    private readonly Lock _lock = new();

    /// <summary>Prices per model, per million tokens.</summary>
    public CostModel(IReadOnlyDictionary<string, ModelPrice> prices)
    {
        Prices = prices;
        using TextReader vocabulary = Embedding.OnnxEmbeddingModel.MiniLM.OpenVocabulary();
        _tokenizer.LoadVocabulary(vocabulary, convertInputToLowercase: true);
    }

    /// <summary>Prices per model.</summary>
    public IReadOnlyDictionary<string, ModelPrice> Prices { get; }

    /// <summary>Tokens of a text by MiniLM's WordPiece tokenizer (a stand-in when no count was recorded).</summary>
    public int CountTokens(string? text)
    {
        if (string.IsNullOrEmpty(text)) return 0;
        lock (_lock) return _tokenizer.Encode(text, 1_000_000).InputIds.Length;
    }

    /// <summary>Cost of one sample of <paramref name="model"/> for a query with <paramref name="promptTokens"/> tokens; NaN when the model has no price.</summary>
    public double SampleCost(string model, int promptTokens, Sample sample)
        => Prices.TryGetValue(model, out ModelPrice? price)
            ? (promptTokens * price.InputPerMillion + CountTokens(sample.Text) * price.OutputPerMillion) / 1e6
            : double.NaN;

    /// <summary>Mean sample cost per record (rows) and model (columns); NaN where the model has no output.</summary>
    public double[] CostMatrix(IReadOnlyList<BenchmarkRecord> records, IReadOnlyList<string> models)
    {
        var costs = new double[records.Count * models.Count];
        for (int i = 0; i < records.Count; i++)
        {
            int prompt = CountTokens(records[i].Query);
            for (int j = 0; j < models.Count; j++)
                costs[i * models.Count + j] = records[i].Outputs.TryGetValue(models[j], out IReadOnlyList<Sample>? samples) && samples.Count > 0
                    ? samples.Average(sample => SampleCost(models[j], prompt, sample)) : double.NaN;
        }
        return costs;
    }

    /// <summary>
    /// Reads prices: a JSON object of model name to an object with <c>input_price</c> and <c>output_price</c>
    /// per million tokens (LLMRouter's <c>default_llm.json</c> has this shape).
    /// </summary>
    /// <exception cref="FormatException">A model lacks a price field (the message names file and field).</exception>
    public static IReadOnlyDictionary<string, ModelPrice> ReadPrices(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"prices file not found: {path}", path);
        JsonDocument document;
        try { document = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException ex) { throw new FormatException($"{path}:{(ex.LineNumber ?? 0) + 1}: not valid JSON (expected an object of model name to {{input_price, output_price}})"); }
        using var _ = document;
        if (document.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException($"{path}: expected an object of model name to {{input_price, output_price}}");
        var prices = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
        foreach (JsonProperty model in document.RootElement.EnumerateObject())
        {
            double Field(string name) => model.Value.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.GetDouble() >= 0 ? v.GetDouble()
                : throw new FormatException($"{path}: field '{model.Name}.{name}': expected a non-negative number (price per million tokens)");
            prices[model.Name] = new ModelPrice(Field("input_price"), Field("output_price"));
        }
        return prices;
    }
}
