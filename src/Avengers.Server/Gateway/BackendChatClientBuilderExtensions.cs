using Microsoft.Extensions.AI;

namespace Avengers.Server.Gateway;

/// <summary>
/// The backend decorators as <see cref="ChatClientBuilder"/> stages (the first added is the outermost), as
/// Microsoft.Extensions.AI composes its own: <c>client.AsBuilder().UseBoundedQueue(...).UseBackendSamples(...).Build()</c>.
/// </summary>
internal static class BackendChatClientBuilderExtensions
{
    /// <summary>At most <paramref name="maxConcurrency"/> calls in flight and <paramref name="maxQueue"/> waiting; beyond that, <see cref="Avengers.Ensemble.BackendBusyException"/>.</summary>
    public static ChatClientBuilder UseBoundedQueue(this ChatClientBuilder builder, string backend, int maxConcurrency, int maxQueue)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxQueue);
        return builder.Use(inner => new BoundedChatClient(inner, backend, maxConcurrency, maxQueue));
    }

    /// <summary>Every failure of the stages inside as a classified <see cref="Avengers.Ensemble.BackendException"/> (add it first: it is the outermost).</summary>
    public static ChatClientBuilder UseFailureClassification(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new FailureClassifyingChatClient(inner));
    }

    /// <summary>Several samples per request with OpenAI's <c>n</c>, topped up with single requests when the backend ignores it.</summary>
    public static ChatClientBuilder UseBackendSamples(this ChatClientBuilder builder, HttpClient http, Uri baseUrl, string model, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(inner => new MultiSampleChatClient(inner, http, baseUrl, model, apiKey));
    }
}
