using System.Numerics.Tensors;
using FastBertTokenizer;
using Microsoft.Extensions.AI;

namespace Avengers.Embedding;

/// <summary>The static embedder as an <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>: a question is the normalised mean of its tokens' rows.</summary>
public sealed class StaticEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly StaticEmbeddingModel _model;
    private readonly BertTokenizer _tokenizer = new();
    private readonly Lock _tokenizerLock = new();
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>The generator over a distilled table.</summary>
    public StaticEmbeddingGenerator(StaticEmbeddingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        using (TextReader vocabulary = model.Source.OpenVocabulary()) _tokenizer.LoadVocabulary(vocabulary, model.Source.Lowercase);
        _metadata = new EmbeddingGeneratorMetadata("static", null, model.Id, model.Dimension);
    }

    /// <summary>Longest question read, in tokens (the rest adds little to a mean).</summary>
    public const int MaxTokens = 512;

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (string text in values) result.Add(new Embedding<float>(Embed(text)) { ModelId = _model.Id });
        return Task.FromResult(result);
    }

    /// <summary>The normalised mean of the text's token rows ([CLS] and [SEP] carry none).</summary>
    public float[] Embed(string text)
    {
        Memory<long> ids;
        lock (_tokenizerLock) (ids, _, _) = _tokenizer.Encode(text ?? "", MaxTokens);
        var vector = new float[_model.Dimension];
        ReadOnlySpan<float> table = _model.Table;
        int dimension = _model.Dimension;
        foreach (long id in ids.Span)
            if ((ulong)id < (ulong)_model.VocabularySize) TensorPrimitives.Add(vector, table.Slice((int)id * dimension, dimension), vector);
        VectorMath.NormalizeInPlace(vector);
        return vector;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is not null ? null
         : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
         : serviceType.IsInstanceOfType(this) ? this : null;

    /// <summary>Nothing to release: the table is managed memory.</summary>
    public void Dispose() { }
}
