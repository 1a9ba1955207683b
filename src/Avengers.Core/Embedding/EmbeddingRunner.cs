using Avengers.Clustering;
using Microsoft.Extensions.AI;

namespace Avengers.Embedding;

/// <summary>Embeds many texts in chunks (so progress can be shown and the cache fills as it goes).</summary>
public static class EmbeddingRunner
{
    public const int ChunkSize = 256;

    /// <param name="progress">Receives the number of texts done so far.</param>
    /// <returns>One L2-normalised row per text, in input order.</returns>
    public static async Task<VectorSet> EmbedAllAsync(IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<string> texts,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(texts);
        float[]? data = null;
        int dimension = 0;
        for (int start = 0; start < texts.Count; start += ChunkSize)
        {
            string[] chunk = texts.Skip(start).Take(ChunkSize).ToArray();
            GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(chunk, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != chunk.Length) throw new InvalidOperationException($"embedding generator returned {embeddings.Count} vectors for {chunk.Length} texts");
            for (int i = 0; i < chunk.Length; i++)
            {
                ReadOnlySpan<float> vector = embeddings[i].Vector.Span;
                if (data is null)
                {
                    dimension = vector.Length;
                    data = new float[texts.Count * dimension];
                }
                if (vector.Length != dimension) throw new InvalidOperationException($"embedding {start + i} has {vector.Length} dimensions, the first had {dimension}");
                Span<float> row = data.AsSpan((start + i) * dimension, dimension);
                vector.CopyTo(row);
                VectorMath.NormalizeInPlace(row);
            }
            progress?.Report(Math.Min(texts.Count, start + chunk.Length));
        }
        if (data is null) throw new ArgumentException("no texts to embed", nameof(texts));
        return new VectorSet(data, dimension);
    }
}
