using System.Threading.Channels;
using Microsoft.Extensions.AI;

namespace Avengers.Embedding;

/// <summary>
/// Coalesces concurrent single-question calls into one model run. Each question alone costs a full ONNX Runtime run,
/// and concurrent single runs fight over the cores; one run over many questions (padded to the longest) uses them
/// well. One consumer takes what is queued (up to <see cref="EmbeddingBatchOptions.MaxBatch"/>, after at most
/// <see cref="EmbeddingBatchOptions.MaxWait"/>), runs it, and hands each caller its vector, so runs never overlap
/// and every run has all the session's intra-op threads. Calls with several texts are batches already and pass
/// straight through. A caller that cancels leaves the queue (its question is dropped if not yet run); a failed run
/// fails only the callers in that batch.
/// </summary>
public sealed class BatchingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private sealed record Pending(string Text, TaskCompletionSource<Embedding<float>> Result, CancellationToken CancellationToken);

    private readonly EmbeddingBatchOptions _options;
    private readonly Channel<Pending> _queue;
    private readonly Task _consumer;
    private readonly CancellationTokenSource _stopping = new();
    private long _runs, _embedded;

    /// <summary>Starts the consumer over <paramref name="inner"/>.</summary>
    public BatchingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, EmbeddingBatchOptions? options = null) : base(inner)
    {
        _options = options ?? new EmbeddingBatchOptions();
        if (_options.MaxBatch < 1) throw new ArgumentException($"embedding batch size must be at least 1 (got {_options.MaxBatch})");
        if (_options.MaxWait < TimeSpan.Zero || _options.MaxWait > TimeSpan.FromSeconds(1)) throw new ArgumentException($"embedding batch wait must lie in [0, 1000] ms (got {_options.MaxWait.TotalMilliseconds} ms)");
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(Math.Max(1, _options.MaxQueue)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <summary>Model runs made so far, and questions embedded by them (their ratio is the mean batch size).</summary>
    public (long Runs, long Questions) Stats => (Interlocked.Read(ref _runs), Interlocked.Read(ref _embedded));

    /// <inheritdoc />
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        string[] texts = values as string[] ?? [.. values];
        if (texts.Length != 1 || options is not null) return await base.GenerateAsync(texts, options, cancellationToken).ConfigureAwait(false);
        var pending = new Pending(texts[0], new TaskCompletionSource<Embedding<float>>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        using CancellationTokenRegistration leave = cancellationToken.Register(static state => ((Pending)state!).Result.TrySetCanceled(((Pending)state!).CancellationToken), pending);
        await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        return [await pending.Result.Task.ConfigureAwait(false)];
    }

    private async Task ConsumeAsync()
    {
        var batch = new List<Pending>(_options.MaxBatch);
        CancellationToken stopping = _stopping.Token;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                batch.Clear();
                Collect(batch);
                if (_options.MaxWait > TimeSpan.Zero && batch.Count < _options.MaxBatch)
                {
                    // Let a few more arrive, but never hold the first question longer than the configured wait.
                    using var window = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    window.CancelAfter(_options.MaxWait);
                    try
                    {
                        while (batch.Count < _options.MaxBatch && await _queue.Reader.WaitToReadAsync(window.Token).ConfigureAwait(false)) Collect(batch);
                    }
                    catch (OperationCanceledException) when (!stopping.IsCancellationRequested) { }
                }
                batch.RemoveAll(p => p.Result.Task.IsCompleted); // callers that left
                if (batch.Count == 0) continue;
                await RunAsync(batch).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
        finally
        {
            while (_queue.Reader.TryRead(out Pending? left)) left.Result.TrySetException(new ObjectDisposedException(nameof(BatchingEmbeddingGenerator), "the embedding generator was disposed"));
        }
    }

    private void Collect(List<Pending> batch)
    {
        while (batch.Count < _options.MaxBatch && _queue.Reader.TryRead(out Pending? next)) batch.Add(next);
    }

    private async Task RunAsync(List<Pending> batch)
    {
        try
        {
            GeneratedEmbeddings<Embedding<float>> vectors = await base.GenerateAsync([.. batch.Select(p => p.Text)], null, _stopping.Token).ConfigureAwait(false);
            if (vectors.Count != batch.Count) throw new InvalidOperationException($"the embedding model returned {vectors.Count} vectors for a batch of {batch.Count}");
            for (int i = 0; i < batch.Count; i++) batch[i].Result.TrySetResult(vectors[i]);
            Interlocked.Increment(ref _runs);
            Interlocked.Add(ref _embedded, batch.Count);
        }
        catch (Exception ex)
        {
            // Only this batch fails, with what went wrong; the next batch runs as usual.
            var failure = new InvalidOperationException($"the embedding model failed on a batch of {batch.Count} question(s): {ex.Message}", ex);
            foreach (Pending pending in batch) pending.Result.TrySetException(failure);
        }
    }

    /// <summary>Stops the consumer; questions still queued fail with <see cref="ObjectDisposedException"/>.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _queue.Writer.TryComplete();
            _stopping.Cancel();
            try { _consumer.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
            _stopping.Dispose();
        }
        base.Dispose(disposing);
    }
}
