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
