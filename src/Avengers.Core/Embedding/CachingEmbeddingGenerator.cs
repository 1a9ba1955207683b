using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Memory;

namespace Avengers.Embedding;

/// <summary>
/// Wraps an embedding generator with two local tiers: this process's memory (bounded in bytes), then the persistent
/// <see cref="SqliteEmbeddingCache"/>. Only texts not seen before (for this model id) reach the inner generator.
/// Vectors are L2-normalised on the way in.
/// </summary>
/// <remarks>
/// The memory tier is why a repeated question costs no SQLite read: the file is shared by every request under one
/// lock, and on the gateway's cached path that lock and the read were the largest cost after HTTP.
/// </remarks>
internal sealed class CachingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, SqliteEmbeddingCache cache, string modelId, int dimension,
    long memoryBytes = CachingEmbeddingGenerator.DefaultMemoryBytes)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    /// <summary>Bytes of vectors and texts the memory tier keeps (least recently used go first): 64 MiB.</summary>
    public const long DefaultMemoryBytes = 64L << 20;

    private readonly MemoryCache _memory = new(new MemoryCacheOptions { SizeLimit = Math.Max(0, memoryBytes), CompactionPercentage = 0.1 });

    /// <summary>Texts looked up in the persistent tier so far (not found in memory).</summary>
    public int StoreReads { get; private set; }

    /// <summary>Texts sent to the inner generator so far (cache misses).</summary>
    public int Misses { get; private set; }

    /// <summary>How many of the texts would reach the inner generator.</summary>
    public int CountMissing(IReadOnlyList<string> texts) => cache.CountMissing(modelId, texts, dimension);

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        string[] texts = values as string[] ?? [.. values];
        var vectors = new float[]?[texts.Length];
        int inMemory = 0;
        for (int i = 0; i < texts.Length; i++)
            if (_memory.TryGetValue(texts[i], out float[]? vector)) { vectors[i] = vector; inMemory++; }
        if (inMemory < texts.Length)
        {
            int[] notInMemory = [.. Enumerable.Range(0, texts.Length).Where(i => vectors[i] is null)];
            float[]?[] stored = cache.TryGetMany(modelId, [.. notInMemory.Select(i => texts[i])], dimension);
            StoreReads += notInMemory.Length;
            for (int j = 0; j < notInMemory.Length; j++)
            {
                if (stored[j] is not float[] vector) continue;
                vectors[notInMemory[j]] = vector;
                Remember(texts[notInMemory[j]], vector);
            }
        }
        int[] missing = inMemory == texts.Length ? [] : [.. Enumerable.Range(0, texts.Length).Where(i => vectors[i] is null)];
        if (missing.Length > 0)
        {
            string[] missingTexts = missing.Select(i => texts[i]).ToArray();
            GeneratedEmbeddings<Embedding<float>> fresh = await base.GenerateAsync(missingTexts, options, cancellationToken).ConfigureAwait(false);
            if (fresh.Count != missing.Length) throw new InvalidOperationException($"embedding generator returned {fresh.Count} vectors for {missing.Length} texts");
            var computed = new float[missing.Length][];
            for (int j = 0; j < missing.Length; j++)
            {
                float[] vector = fresh[j].Vector.ToArray();
                if (vector.Length != dimension) throw new InvalidOperationException($"embedding model {modelId} returned {vector.Length} dimensions, expected {dimension}");
                VectorMath.NormalizeInPlace(vector);
                computed[j] = vector;
                vectors[missing[j]] = vector;
                Remember(missingTexts[j], vector);
            }
            cache.PutMany(modelId, missingTexts, computed);
            Misses += missing.Length;
        }
        var fromCache = new bool[texts.Length];
        for (int i = 0; i < fromCache.Length; i++) fromCache[i] = true;
        foreach (int i in missing) fromCache[i] = false;
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select((v, i) => new Embedding<float>(v!)
        {
            ModelId = modelId,
            AdditionalProperties = new() { [EmbeddingCacheTier.Key] = fromCache[i] ? EmbeddingCacheTier.Local : EmbeddingCacheTier.Miss },
        }));
    }

    private void Remember(string text, float[] vector) =>
        _memory.Set(text, vector, new MemoryCacheEntryOptions { Size = 64 + 2L * text.Length + 4L * vector.Length });

    protected override void Dispose(bool disposing)
    {
        if (disposing) _memory.Dispose();
        base.Dispose(disposing);
    }
}
