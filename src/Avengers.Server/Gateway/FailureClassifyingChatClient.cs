using System.Runtime.CompilerServices;
using Avengers.Ensemble;
using Microsoft.Extensions.AI;

namespace Avengers.Server.Gateway;

/// <summary>
/// The outermost stage of every backend client: whatever the transport throws leaves as a <see cref="BackendException"/>
/// (<see cref="HttpFailures.Classify"/>), for plain, streamed and multi-sample calls alike. Cancellations pass unchanged.
/// </summary>
internal sealed class FailureClassifyingChatClient(IChatClient inner) : DelegatingChatClient(inner), IMultiSampleChatClient
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try { return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (HttpFailures.Classify(ex) is BackendException classified) { throw classified; }
    }

    public async Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IEnumerable<ChatMessage> messages, int count, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var multi = (IMultiSampleChatClient)InnerClient.GetService(typeof(IMultiSampleChatClient))!;
        try { return await multi.GetResponsesAsync(messages, count, options, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (HttpFailures.Classify(ex) is BackendException classified) { throw classified; }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IAsyncEnumerator<ChatResponseUpdate> updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (updates.ConfigureAwait(false))
        {
            while (true)
            {
                bool more;
                try { more = await updates.MoveNextAsync().ConfigureAwait(false); }
                catch (Exception ex) when (HttpFailures.Classify(ex) is BackendException classified) { throw classified; }
                if (!more) yield break;
                yield return updates.Current;
            }
        }
    }

    /// <summary>Itself as the multi-sample client when the inner stages have one (so that those calls are classified too).</summary>
    public override object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType == typeof(IMultiSampleChatClient)
            ? InnerClient.GetService(typeof(IMultiSampleChatClient)) is null ? null : this
            : base.GetService(serviceType, serviceKey);
}
