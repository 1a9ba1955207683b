using Microsoft.Extensions.AI;

namespace Avengers.Embedding;

/// <summary>
/// Wraps an embedding generator with a persistent <see cref="SqliteEmbeddingCache"/>: only texts not
/// seen before (for this model id) reach the inner generator. Vectors are L2-normalised on the way in.
/// </summary>
internal sealed class CachingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, SqliteEmbeddingCache cache, string modelId, int dimension)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    /// <summary>Texts sent to the inner generator so far (cache misses).</summary>
    public int Misses { get; private set; }

    /// <summary>How many of the texts would reach the inner generator.</summary>
    public int CountMissing(IReadOnlyList<string> texts) => cache.CountMissing(modelId, texts, dimension);

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        string[] texts = values as string[] ?? [.. values];
        float[]?[] vectors = cache.TryGetMany(modelId, texts, dimension);
        int[] missing = Enumerable.Range(0, texts.Length).Where(i => vectors[i] is null).ToArray();
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
}
