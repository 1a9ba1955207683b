using System.ClientModel;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Avengers.Embedding;

/// <summary>
/// Parses an embedding choice from the command line or config and builds the generator:
/// <c>minilm</c> (default), <c>arctic-xs</c>, either cut to its first N tokens (<c>minilm@64</c>), <c>minilm-static</c>, <c>minilm-int8</c>,
/// <c>onnx:MODEL.onnx,VOCAB.txt,mean|cls,DIM</c>, or
/// <c>openai:BASE_URL,MODEL[,DIM]</c> (API key from <c>AVENGERS_EMBEDDING_API_KEY</c>, else "EMPTY").
/// </summary>
public sealed record EmbeddingModelSpec(string Id, int? Dimension, Func<IEmbeddingGenerator<string, Embedding<float>>> Create)
{
    /// <summary>The model used when none is named: all-MiniLM-L6-v2, in every install.</summary>
    public const string Default = "minilm";
    /// <summary>Environment variable holding the key for an <c>openai:</c> embedding endpoint.</summary>
    public const string ApiKeyVariable = "AVENGERS_EMBEDDING_API_KEY";

    /// <exception cref="ArgumentException">The text names no known model or is malformed (message says what is expected).</exception>
    public static EmbeddingModelSpec Parse(string? text)
    {
        text = string.IsNullOrWhiteSpace(text) ? Default : text.Trim();
        // minilm@64: the built-in model with questions cut to their first 64 tokens (a model of its own: its id says so,
        // so a router calibrated with one refuses the other).
        int at = text.LastIndexOf('@');
        if (at > 0 && OnnxEmbeddingModel.BuiltIn.TryGetValue(text[..at], out OnnxEmbeddingModel? full))
        {
            if (!int.TryParse(text[(at + 1)..], out int cut) || cut < 8 || cut > full.MaxTokens)
                throw new ArgumentException($"embedding '{text}': the cut after '@' must be a whole number of tokens from 8 to {full.MaxTokens}");
            if (OnnxEmbeddingModel.Optional.TryGetValue(text[..at], out OptionalEmbeddingModel? optionalCut) && !EmbeddingModelStore.IsInstalled(optionalCut))
                throw new ArgumentException(EmbeddingModelStore.NotInstalledMessage(optionalCut));
            OnnxEmbeddingModel truncated = full with { Id = $"{full.Id}@{cut}", MaxTokens = cut };
            return new EmbeddingModelSpec(truncated.Id, truncated.Dimension, () => new OnnxEmbeddingGenerator(truncated));
        }
        if (OnnxEmbeddingModel.BuiltIn.TryGetValue(text, out OnnxEmbeddingModel? builtIn))
        {
            if (OnnxEmbeddingModel.Optional.TryGetValue(text, out OptionalEmbeddingModel? optional) && !EmbeddingModelStore.IsInstalled(optional))
                throw new ArgumentException(EmbeddingModelStore.NotInstalledMessage(optional));
            return new EmbeddingModelSpec(builtIn.Id, builtIn.Dimension, () => new OnnxEmbeddingGenerator(builtIn));
        }

        // minilm-static (and arctic-xs-static): the static embedder distilled from the built-in model, built once into the cache folder.
        if (text.EndsWith("-static", StringComparison.OrdinalIgnoreCase) && OnnxEmbeddingModel.BuiltIn.TryGetValue(text[..^"-static".Length], out OnnxEmbeddingModel? source))
        {
            if (OnnxEmbeddingModel.Optional.TryGetValue(text[..^"-static".Length], out OptionalEmbeddingModel? optional) && !EmbeddingModelStore.IsInstalled(optional))
                throw new ArgumentException(EmbeddingModelStore.NotInstalledMessage(optional));
            return new EmbeddingModelSpec(StaticEmbeddingModel.IdFor(source), StaticEmbeddingModel.DefaultDimension, () => new StaticEmbeddingGenerator(
                StaticEmbeddingModel.LoadOrDistill(source, Path.Combine(Data.BenchmarkLocator.CacheRoot(), "static"), progress: message => Console.Error.WriteLine(message))));
        }

        // minilm-int8 (and arctic-xs-int8): the built-in model with its weight products in 8 bits.
        if (text.EndsWith("-int8", StringComparison.OrdinalIgnoreCase) && OnnxEmbeddingModel.BuiltIn.TryGetValue(text[..^"-int8".Length], out OnnxEmbeddingModel? full8))
        {
            if (OnnxEmbeddingModel.Optional.TryGetValue(text[..^"-int8".Length], out OptionalEmbeddingModel? optional) && !EmbeddingModelStore.IsInstalled(optional))
                throw new ArgumentException(EmbeddingModelStore.NotInstalledMessage(optional));
            OnnxEmbeddingModel int8 = full8.Quantized8Bit();
            return new EmbeddingModelSpec(int8.Id, int8.Dimension, () => new OnnxEmbeddingGenerator(int8));
        }

        if (text.StartsWith("onnx:", StringComparison.OrdinalIgnoreCase))
        {
            string[] parts = text["onnx:".Length..].Split(',');
            if (parts.Length != 4 || !Enum.TryParse(parts[2], ignoreCase: true, out PoolingMode pooling) || !int.TryParse(parts[3], out int dimension) || dimension <= 0)
                throw new ArgumentException($"embedding '{text}': expected onnx:MODEL.onnx,VOCAB.txt,mean|cls,DIMENSION");
            OnnxEmbeddingModel model = OnnxEmbeddingModel.FromFiles(parts[0], parts[1], pooling, dimension);
            return new EmbeddingModelSpec(model.Id, dimension, () => new OnnxEmbeddingGenerator(model));
        }

        if (text.StartsWith("openai:", StringComparison.OrdinalIgnoreCase))
        {
            string[] parts = text["openai:".Length..].Split(',');
            if (parts.Length is < 2 or > 3 || !Uri.TryCreate(parts[0], UriKind.Absolute, out Uri? endpoint) || parts[1].Length == 0)
                throw new ArgumentException($"embedding '{text}': expected openai:BASE_URL,MODEL[,DIMENSION], e.g. openai:http://localhost:8000/v1,bge-m3");
            int? dimension = null;
            if (parts.Length == 3)
            {
                if (!int.TryParse(parts[2], out int d) || d <= 0) throw new ArgumentException($"embedding '{text}': DIMENSION must be a positive integer");
                dimension = d;
            }
            string model = parts[1];
            string key = Environment.GetEnvironmentVariable(ApiKeyVariable) is { Length: > 0 } k ? k : "EMPTY";
            return new EmbeddingModelSpec($"openai:{endpoint.Authority}/{model}", dimension, () =>
                new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = endpoint })
                    .GetEmbeddingClient(model).AsIEmbeddingGenerator());
        }

        throw new ArgumentException($"unknown embedding '{text}'; expected {string.Join(", ", OnnxEmbeddingModel.BuiltIn.Keys)}, minilm-static, minilm-int8, onnx:MODEL.onnx,VOCAB.txt,mean|cls,DIM or openai:BASE_URL,MODEL[,DIM]");
    }
}
