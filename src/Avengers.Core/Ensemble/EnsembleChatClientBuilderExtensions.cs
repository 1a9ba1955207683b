using System.Runtime.CompilerServices;
using Avengers.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Avengers.Ensemble;

/// <summary>
/// The ensemble as a <see cref="ChatClientBuilder"/> stage, composed as Microsoft.Extensions.AI composes its own:
/// <code>
/// IChatClient chat = new ChatClientBuilder(largeModel)      // the last resort
///     .UseLogging()
///     .UseAvengersEnsemble(members, router, embedder)       // the united small models answer
///     .Build(services);
/// </code>
/// </summary>
public static class EnsembleChatClientBuilderExtensions
{
    /// <summary>
    /// Requests are answered by the members the router picks (direct, vote or switch, as <paramref name="options"/> and
    /// each request's <see cref="SettingsOverrides"/> say). The builder's inner client is asked only when the
    /// ensemble cannot answer at all (every ranked member failed); not when the members are merely busy or refused the
    /// request itself. The logger and <see cref="EnsembleMetrics"/> come from the builder's services when registered.
    /// </summary>
    public static ChatClientBuilder UseAvengersEnsemble(this ChatClientBuilder builder, IReadOnlyDictionary<string, IChatClient> members,
        ClusterRouter router, IEmbeddingGenerator<string, Embedding<float>> embedder, EnsembleSettings? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => new EnsembleWithFallbackChatClient(
            new EnsembleChatClient(members, router, embedder, options, services.GetService<ILogger<EnsembleChatClient>>(), services.GetService<EnsembleMetrics>()),
            inner));
    }

    /// <summary>The same stage over an ensemble built beforehand (as the gateway builds its own, with its logger and meters).</summary>
    public static ChatClientBuilder UseAvengersEnsemble(this ChatClientBuilder builder, EnsembleChatClient ensemble)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(ensemble);
        return builder.Use(inner => new EnsembleWithFallbackChatClient(ensemble, inner));
    }
}

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
