using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Avengers.Ensemble;

/// <summary>The ensemble first; the inner client when every ranked member failed (before anything was streamed).</summary>
internal sealed class EnsembleWithFallbackChatClient(EnsembleChatClient ensemble, IChatClient fallback) : DelegatingChatClient(fallback)
{
    // Busy members (429) and a request the backends refuse for good (4xx) are answers in their own right, not failures.
    private static bool EnsembleFailed(Exception ex) => ex is EnsembleException { AllBusy: false, RejectedWithStatus: null };

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        List<ChatMessage> history = [.. messages];
        try { return await ensemble.GetResponseAsync(history, options, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (EnsembleFailed(ex) && !cancellationToken.IsCancellationRequested)
        {
            return await base.GetResponseAsync(history, options, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<ChatMessage> history = [.. messages];
        IAsyncEnumerator<ChatResponseUpdate> updates = ensemble.GetStreamingResponseAsync(history, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        bool first;
        try
        {
            try { first = await updates.MoveNextAsync().ConfigureAwait(false); }
            catch (Exception ex) when (EnsembleFailed(ex) && !cancellationToken.IsCancellationRequested) { first = false; updates = null!; }
            if (updates is null)
            {
                await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(history, options, cancellationToken).ConfigureAwait(false))
                    yield return update;
                yield break;
            }
            if (!first) yield break;
            yield return updates.Current;
            while (await updates.MoveNextAsync().ConfigureAwait(false)) yield return updates.Current;
        }
        finally
        {
            if (updates is not null) await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType.IsInstanceOfType(ensemble) ? ensemble : base.GetService(serviceType, serviceKey);
}
