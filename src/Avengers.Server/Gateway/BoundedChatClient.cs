using System.Runtime.CompilerServices;
using Avengers.Ensemble;
using Microsoft.Extensions.AI;

namespace Avengers.Server.Gateway;

/// <summary>
/// Limits the calls in flight to one backend; beyond <c>maxQueue</c> waiting callers it refuses at once
/// with <see cref="BackendBusyException"/> (the gateway answers 429) instead of queueing without bound.
/// </summary>
internal sealed class BoundedChatClient(IChatClient inner, string name, int maxConcurrency, int maxQueue) : DelegatingChatClient(inner), IMultiSampleChatClient
{
    private readonly IMultiSampleChatClient? _multi = inner.GetService(typeof(IMultiSampleChatClient)) as IMultiSampleChatClient;

    private readonly SemaphoreSlim _slots = new(maxConcurrency, maxConcurrency);
    private int _waiting;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try { return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false); }
        finally { _slots.Release(); }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
                yield return update;
        }
        finally { _slots.Release(); }
    }

    /// <summary>Several samples in one request take one slot.</summary>
    public async Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IEnumerable<ChatMessage> messages, int count, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (_multi is null) throw new NotSupportedException($"backend '{name}' does not take several samples per request");
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try { return await _multi.GetResponsesAsync(messages, count, options, cancellationToken).ConfigureAwait(false); }
        finally { _slots.Release(); }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType == typeof(IMultiSampleChatClient) ? (_multi is null ? null : this) : base.GetService(serviceType, serviceKey);

    private async Task EnterAsync(CancellationToken cancellationToken)
    {
        if (_slots.Wait(0, CancellationToken.None)) return; // a free slot now, without waiting
        if (Interlocked.Increment(ref _waiting) > maxQueue)
        {
            Interlocked.Decrement(ref _waiting);
            throw new BackendBusyException($"backend '{name}' is at capacity ({maxConcurrency} in flight, {maxQueue} waiting)");
        }
        try { await _slots.WaitAsync(cancellationToken).ConfigureAwait(false); }
        finally { Interlocked.Decrement(ref _waiting); }
    }
}
