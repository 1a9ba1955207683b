using Avengers.Clustering;
using Microsoft.Extensions.AI;

namespace Avengers.Embedding;

/// <summary>Embeds many texts in chunks (so progress can be shown and the cache fills as it goes).</summary>
public static class EmbeddingRunner
{
    /// <summary>Texts embedded per call (and per progress report).</summary>
    public const int ChunkSize = 256;

    // Measured on two cores with MiniLM: 60 to 80 LLMRouter queries per second (64 tokens each) depending on the
    // machine's load (2026-12-04: 5,989 queries in 95 s); the lower figure, so the first estimate is not optimistic.
    private const double TokensPerSecondPerCore = 2_000;

    /// <summary>
    /// The first-run note: how many texts are not in the cache yet and, for a local model, roughly how long they
    /// take on this machine. Null when there is little to do (a warm cache).
    /// </summary>
    public static string? FirstRunNote(IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<string> texts, int threshold = 500)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(texts);
        int uncached = generator.GetService<CachingEmbeddingGenerator>()?.CountMissing(texts) ?? texts.Count;
        if (uncached < threshold) return null;
        string estimate = "";
        if (generator.GetService<OnnxEmbeddingGenerator>() is { } local)
        {
            // Cost grows with tokens (about four characters each), up to the model's input length.
            double tokens = texts.Sum(t => Math.Min(t.Length / 4.0 + 2, local.Model.MaxTokens)) * uncached / texts.Count;
            double seconds = tokens / (TokensPerSecondPerCore * Math.Max(1, Environment.ProcessorCount));
            estimate = seconds < 90 ? $", roughly {Math.Ceiling(seconds / 5) * 5:0} s" : $", roughly {Math.Ceiling(seconds / 60):0} min";
            estimate += $" on {Environment.ProcessorCount} cores";
        }
        string cached = uncached < texts.Count ? $" ({texts.Count - uncached:N0} are cached)" : "";
        return $"embedding {uncached:N0} texts not in the cache yet{cached}{estimate}; this happens once, later runs read the cache";
    }

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
