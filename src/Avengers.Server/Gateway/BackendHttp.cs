using System.ClientModel;
using System.ClientModel.Primitives;
using Avengers.Ensemble;
using Microsoft.Extensions.AI;
using global::OpenAI;
using Avengers.Server.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;

namespace Avengers.Server.Gateway;

/// <summary>
/// The HTTP stack of each backend: a named client of <see cref="IHttpClientFactory"/> whose resilience handler
/// (<c>AddResilienceHandler</c>) composes Polly strategies, outermost first: retry with exponential backoff and
/// jitter that honours <c>Retry-After</c>, a circuit breaker, and a per-attempt timeout. Inside it, the event-stream
/// guard turns a 200 that is not what it claims (an HTML page, a stream without [DONE], a stall) into a failure the
/// pipeline retries and counts. Failures that survive it make the ensemble fall back to the next-ranked model.
/// </summary>
public static class BackendHttp
{
    /// <summary>The named client of a backend.</summary>
    public static string ClientName(string backend) => "avengers.backend." + backend;

    /// <summary>
    /// Registers one named, resilient HttpClient per backend and, over it, the backend's <see cref="IChatClient"/> as a
    /// keyed service (the key is the backend's name, as the router artifact names the model). Backends without a name
    /// are left to validation to report.
    /// </summary>
    /// <param name="environment">Reads the backends' key variables (null: the process environment).</param>
    public static IServiceCollection AddAvengersBackends(this IServiceCollection services, IEnumerable<BackendConfig?> backends, Func<string, string?>? environment = null)
        => services.AddAvengersBackends(backends, new BackendCircuits(), environment);

    /// <summary>As the public overload, with the breaker states the gateway's metrics and readiness read.</summary>
    internal static IServiceCollection AddAvengersBackends(this IServiceCollection services, IEnumerable<BackendConfig?> backends, BackendCircuits circuits,
        Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentNullException.ThrowIfNull(circuits);
        foreach (BackendConfig backend in backends.OfType<BackendConfig>().Where(b => b.Name is not null).DistinctBy(b => b.Name))
        {
            IHttpClientBuilder client = services
                .AddHttpClient(ClientName(backend.Name!), c => c.Timeout = Timeout.InfiniteTimeSpan) // the pipeline's timeouts and the request deadline bound every call
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
                .RemoveAllLoggers(); // one line per backend call would drown the gateway's own log; failures are logged by the ensemble
            // Handlers run in the order they are added: the resilience pipeline outside, the guard inside it.
            client.AddResilienceHandler("backend", (pipeline, _) => Configure(pipeline, backend, circuits.For(backend.Name!), circuits.ControlFor(backend.Name!)));
            // A stream's outcome is known only after the pipeline returned (at [DONE] or its failure): a second breaker counts those.
            Action<Exception?> streamEnded = circuits.AddStreamBreaker(backend);
            client.AddHttpMessageHandler(() => new EventStreamGuard(TimeSpan.FromSeconds(backend.TimeoutSeconds), streamEnded));
            services.AddKeyedSingleton(backend.Name, (provider, _) => CreateMember(backend, environment, provider.GetRequiredService<IHttpClientFactory>()));
        }
        return services;
    }

    /// <summary>
    /// One client per backend, each with the gateway's whole stack (resilience pipeline, n support, bounded queue,
    /// keys from the environment): what <c>collect</c> calls models with. Validate the configuration first.
    /// </summary>
    public static IReadOnlyDictionary<string, IChatClient> CreateMembers(IEnumerable<BackendConfig> backends, Func<string, string?>? environment = null)
    {
        List<BackendConfig> list = [.. backends];
        // A private service provider that lives as long as the returned clients are used.
        ServiceProvider provider = new ServiceCollection().AddAvengersBackends(list, new BackendCircuits(), environment).BuildServiceProvider();
        return list.ToDictionary(b => b.Name!, b => provider.GetRequiredKeyedService<IChatClient>(b.Name!), StringComparer.Ordinal);
    }

    /// <summary>An OpenAI-compatible client over the backend's resilient HttpClient, with n support and a bounded queue.</summary>
    internal static IChatClient CreateMember(BackendConfig backend, Func<string, string?> environment, IHttpClientFactory http)
    {
        string key = backend.ApiKeyEnv is null ? "EMPTY" : environment(backend.ApiKeyEnv)!;
        BackendFailures.RegisterSecrets([key]); // collect's log and messages too
        HttpClient backendHttp = http.CreateClient(BackendHttp.ClientName(backend.Name!));
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(backend.BaseUrl!),
            // Retries, circuit breaking and per-attempt timeouts live in the Polly pipeline of the transport;
            // the client's own retries are off and its timeout only caps the whole exchange.
            Transport = new HttpClientPipelineTransport(backendHttp),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromSeconds(backend.TimeoutSeconds * (backend.Retries + 1) + 5),
        };
        string model = backend.Model ?? backend.Name!;
        ChatClientBuilder member = new OpenAIClient(new ApiKeyCredential(key), options).GetChatClient(model).AsIChatClient().AsBuilder()
            .UseFailureClassification()
            .UseBoundedQueue(backend.Name!, backend.MaxConcurrency, backend.MaxQueue);
        if (backend.SupportsN) member.UseBackendSamples(backendHttp, new Uri(backend.BaseUrl!), model, key);
        return member.Build();
    }

    /// <summary>The backend's strategies, from its configuration.</summary>
    internal static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, BackendConfig backend, CircuitBreakerStateProvider circuit,
        CircuitBreakerManualControl? control = null)
    {
        if (backend.Retries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = backend.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(backend.RetryDelayMilliseconds),
                ShouldRetryAfterHeader = true,
                MaxDelay = TimeSpan.FromSeconds(backend.TimeoutSeconds),
            });
        }
        pipeline
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = backend.BreakerFailureRatio,
                MinimumThroughput = backend.BreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(backend.BreakSeconds),
                StateProvider = circuit,
                ManualControl = control,
                // A 404 means this backend is misconfigured (model not served, wrong base URL): it counts like a fault.
                ShouldHandle = args => ValueTask.FromResult(HttpClientResiliencePredicates.IsTransient(args.Outcome)
                    || args.Outcome.Result?.StatusCode == System.Net.HttpStatusCode.NotFound),
            })
            .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = TimeSpan.FromSeconds(backend.TimeoutSeconds) });
    }

}
