using Avengers.Data;
using Microsoft.Extensions.AI;

namespace Avengers.Embedding;

/// <summary>An embedding generator wrapped with the persistent cache, plus what identifies it.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "a stack of generator layers (model, batcher, cache), not a Stack<T>")]
public sealed class EmbeddingStack : IDisposable
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _inner;
    private readonly SqliteEmbeddingCache? _cache;

    private EmbeddingStack(IEmbeddingGenerator<string, Embedding<float>> inner, IEmbeddingGenerator<string, Embedding<float>> outer, SqliteEmbeddingCache? cache, string id, int dimension)
    {
        _inner = inner;
        Generator = outer;
        _cache = cache;
        ModelId = id;
        Dimension = dimension;
    }

    /// <summary>The generator to embed with: the model behind the persistent cache (or the model alone without a cache).</summary>
    public IEmbeddingGenerator<string, Embedding<float>> Generator { get; }
    /// <summary>The model's id, recorded in caches and router artifacts.</summary>
    public string ModelId { get; }
    /// <summary>Length of the vectors.</summary>
    public int Dimension { get; }

    /// <summary>Default cache file: <c>&lt;cache root&gt;/embeddings.sqlite</c>.</summary>
    public static string DefaultCachePath => Path.Combine(BenchmarkLocator.CacheRoot(), "embeddings.sqlite");

    /// <param name="cachePath">SQLite file for the cache; null disables caching.</param>
    /// <param name="batching">How concurrent single questions that miss the cache are coalesced into one model run
    /// (null: the defaults; <see cref="EmbeddingBatchOptions.MaxBatch"/> 1 turns it off).</param>
    /// <param name="memoryBytes">Bytes of vectors (and their texts) kept in memory in front of the file, least recently
    /// used out first (null: 64 MiB; 0: none, every lookup reads the file).</param>
    public static async Task<EmbeddingStack> CreateAsync(EmbeddingModelSpec spec, string? cachePath, EmbeddingBatchOptions? batching = null, long? memoryBytes = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        IEmbeddingGenerator<string, Embedding<float>> model = spec.Create();
        // Below the cache: a cache hit never waits behind a model run.
        // (A static embedder answers in microseconds: nothing to batch.)
        IEmbeddingGenerator<string, Embedding<float>> inner = batching?.MaxBatch == 1 || model is StaticEmbeddingGenerator ? model : new BatchingEmbeddingGenerator(model, batching);
        int dimension = spec.Dimension ?? (await inner.GenerateAsync(["dimension probe"], cancellationToken: cancellationToken).ConfigureAwait(false))[0].Vector.Length;
        if (cachePath is null) return new EmbeddingStack(inner, inner, null, spec.Id, dimension);
        var cache = new SqliteEmbeddingCache(cachePath);
        return new EmbeddingStack(inner, new CachingEmbeddingGenerator(inner, cache, spec.Id, dimension, memoryBytes ?? CachingEmbeddingGenerator.DefaultMemoryBytes), cache, spec.Id, dimension);
    }

    /// <summary>Releases the model's session and the cache's connection.</summary>
    public void Dispose()
    {
        _inner.Dispose();
        _cache?.Dispose();
    }
}
