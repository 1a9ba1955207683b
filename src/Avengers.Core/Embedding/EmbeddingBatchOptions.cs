namespace Avengers.Embedding;

/// <summary>Settings of <see cref="BatchingEmbeddingGenerator"/>.</summary>
public sealed record EmbeddingBatchOptions
{
    /// <summary>Most questions in one model run.</summary>
    public int MaxBatch { get; init; } = 32;
    /// <summary>
    /// How long the first question of a batch waits for others before the run starts. 0 (the default) waits for
    /// nothing: a batch is whatever queued while the previous run computed, so a question alone is never delayed.
    /// </summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.Zero;
    /// <summary>Questions waiting beyond which callers wait to enqueue (back-pressure instead of unbounded memory).</summary>
    public int MaxQueue { get; init; } = 4096;
}
