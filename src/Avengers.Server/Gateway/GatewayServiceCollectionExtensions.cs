using Avengers.Embedding;
using Avengers.Ensemble;
using Avengers.Server.Configuration;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Avengers.Server.Gateway;

/// <summary>
/// The gateway's services, in the way ASP.NET Core composes (as YARP's <c>AddReverseProxy</c>): the validated
/// configuration, the runtime (router artifact, one resilient client per backend, the ensemble) built once, its
/// meters. Pair with <see cref="GatewayEndpointRouteBuilderExtensions.MapAvengersGateway"/>.
/// </summary>
public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// The gateway's services: its configuration as options validated at start (<c>ValidateOnStart</c>; mapping the
    /// endpoints validates it too), one resilient named HttpClient per backend, the meters, and the runtime.
    /// </summary>
    /// <param name="embedding">The query embedder, owned by the caller; null: an <see cref="EmbeddingStack"/> the host registered,
    /// else one the gateway builds from the configuration's <c>embedding</c> (and disposes with the host).</param>
    /// <exception cref="GatewayConfigException">When the endpoints are mapped, if the configuration has problems (all listed);
    /// an <see cref="OptionsValidationException"/> with the same list when the host starts without mapping them.</exception>
    public static IServiceCollection AddAvengersGateway(this IServiceCollection services, GatewayConfig config, EmbeddingStack? embedding = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config = config.Normalized();
        environment ??= Environment.GetEnvironmentVariable;
        services.AddMetrics();
        // Where the gateway reads time (limit windows, budgets, live evidence's decay): a host or a test may register its own.
        services.TryAddSingleton(TimeProvider.System);
        // The embedder comes from DI: the one given here, else the host's, else one built from the configuration.
        if (embedding is not null) services.AddSingleton(embedding);
        else services.TryAddSingleton(_ => EmbeddingFor(config));
        services.AddSingleton(provider => new GatewayConfigValidation(provider.GetRequiredService<EmbeddingStack>(), environment));
        services.AddSingleton<IValidateOptions<GatewayConfig>>(provider => provider.GetRequiredService<GatewayConfigValidation>());
        services.AddSingleton<IOptionsFactory<GatewayConfig>>(provider => new FixedOptionsFactory<GatewayConfig>(config, provider.GetServices<IValidateOptions<GatewayConfig>>()));
        services.AddOptions<GatewayConfig>().ValidateOnStart();
        var circuits = new BackendCircuits();
        // Each backend a keyed IChatClient over its resilient HttpClient (the key: the backend's name).
        services.AddAvengersBackends(config.Backends ?? [], circuits, environment);
        services.AddSingleton(provider => new EnsembleMetrics(provider.GetRequiredService<IMeterFactory>()));
        services.AddSingleton(provider => new GatewayMetrics(provider.GetRequiredService<IMeterFactory>(), circuits,
            (config.Backends ?? []).OfType<BackendConfig>().Select(b => b.Name).OfType<string>().ToList()));
        bool fleetMode = config.RedisConnection(environment) is not null;
        if (fleetMode)
        {
            // Fleet mode: one Redis connection; the embedding cache is HybridCache (this process, then Redis) and key
            // limits are counted in Redis, so every replica shares both.
            services.AddSingleton(_ => Fleet.RedisFleet.Create(config, environment)!);
            services.AddSingleton<Microsoft.Extensions.Caching.Distributed.IDistributedCache>(provider =>
            {
                Fleet.RedisFleet fleet = provider.GetRequiredService<Fleet.RedisFleet>();
                return new Microsoft.Extensions.Caching.StackExchangeRedis.RedisCache(Options.Create(new Microsoft.Extensions.Caching.StackExchangeRedis.RedisCacheOptions
                {
                    ConnectionMultiplexerFactory = () => Task.FromResult<StackExchange.Redis.IConnectionMultiplexer>(fleet.Connection),
                    InstanceName = fleet.Prefix + "cache:",
                }));
            });
            services.AddHybridCache(cache => cache.MaximumPayloadBytes = 1 << 20).AddSerializer<float[], Fleet.FloatArraySerializer>();
        }
        services.AddSingleton(provider =>
        {
            GatewayConfig validated;
            try { validated = provider.GetRequiredService<IOptions<GatewayConfig>>().Value; }
            catch (OptionsValidationException ex) { throw new GatewayConfigException([.. ex.Failures]); }
            EmbeddingStack embedding = provider.GetRequiredService<EmbeddingStack>();
            var members = validated.Backends.ToDictionary(b => b.Name!, b => provider.GetRequiredKeyedService<Microsoft.Extensions.AI.IChatClient>(b.Name!), StringComparer.Ordinal);
            Fleet.RedisFleet? fleet = fleetMode ? provider.GetRequiredService<Fleet.RedisFleet>() : null;
            Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>? shared = fleet is null ? null
                : new Fleet.SharedEmbeddingGenerator(embedding.Generator, provider.GetRequiredService<Microsoft.Extensions.Caching.Hybrid.HybridCache>(), fleet, embedding.ModelId);
            return GatewayRuntime.Create(validated, provider.GetRequiredService<GatewayConfigValidation>().Artifact!, embedding, members, circuits, environment,
                provider.GetRequiredService<ILoggerFactory>(), provider.GetRequiredService<GatewayMetrics>(), provider.GetRequiredService<EnsembleMetrics>(),
                shared, fleet is null ? null : new Fleet.RedisKeyLimitStore(fleet, provider.GetRequiredService<TimeProvider>(), validated.RedisLimitLease), fleet, provider.GetRequiredService<IMeterFactory>(),
                provider.GetRequiredService<TimeProvider>());
        });
        // Live feedback: decisions remembered (in Redis in fleet mode) so that answers can be rated; ratings become live evidence.
        TimeSpan remember = TimeSpan.FromMinutes(config.Feedback?.TtlMinutes is double ttl && ttl > 0 ? ttl : 60);
        services.AddSingleton<Feedback.IDecisionMemory>(provider => fleetMode
            ? new Feedback.RedisDecisionMemory(provider.GetRequiredService<Fleet.RedisFleet>(), remember)
            : new Feedback.InProcessDecisionMemory(remember, config.Feedback?.MaxRemembered ?? 100_000, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new Feedback.FeedbackService(() => provider.GetRequiredService<GatewayRuntime>(), provider.GetRequiredService<Feedback.IDecisionMemory>(),
            fleetMode ? provider.GetRequiredService<Fleet.RedisFleet>() : null, provider.GetRequiredService<ILogger<Feedback.FeedbackService>>(), provider.GetRequiredService<IMeterFactory>(),
            // In fleet mode the ratings' Redis stream is the log (the service keeps it); without Redis, the file if set.
            !fleetMode && config.Feedback?.Log is string logPath ? new Feedback.FileFeedbackLog(GatewayConfigLoader.Resolve(config, logPath)) : null,
            new Feedback.RatingAllowance(config.Feedback?.MaxRatingsPerKeyPerHour, fleetMode ? provider.GetRequiredService<Fleet.RedisFleet>() : null, provider.GetRequiredService<TimeProvider>()),
            provider.GetRequiredService<TimeProvider>()));
        services.AddHostedService(provider => provider.GetRequiredService<Feedback.FeedbackService>());
        // Router rollout: swaps a newly published (Redis) or rewritten (file) artifact in without a restart.
        services.AddHostedService(provider => new Fleet.RouterRollout(() => provider.GetRequiredService<GatewayRuntime>(), provider.GetRequiredService<ILogger<Fleet.RouterRollout>>(), provider.GetRequiredService<IMeterFactory>(),
            provider.GetRequiredService<TimeProvider>()));
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(EnsembleMetrics.MeterName, GatewayMetrics.MeterName, GatewayMetrics.BackendMeterName)
            .AddPrometheusExporter());
        return services;
    }

    /// <summary>
    /// The same, with the configuration bound from a section of the host's configuration (appsettings.json, environment
    /// variables, ...): the keys are the YAML file's (<c>router</c>, <c>backends:0:base_url</c>, ...).
    /// </summary>
    public static IServiceCollection AddAvengersGateway(this IServiceCollection services, IConfiguration section, EmbeddingStack? embedding = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        var config = new GatewayConfig();
        section.Bind(config);
        return services.AddAvengersGateway(config, embedding, environment);
    }

    /// <summary>The configuration's embedder (<c>embedding</c>, its cache and batching), for a host that registered none.</summary>
    private static EmbeddingStack EmbeddingFor(GatewayConfig config)
    {
        string? cache = config.EmbeddingCache is null ? EmbeddingStack.DefaultCachePath
            : string.Equals(config.EmbeddingCache, "none", StringComparison.OrdinalIgnoreCase) ? null : GatewayConfigLoader.Resolve(config, config.EmbeddingCache);
        // Once, while the host builds its services (the model loads from the package in well under a second).
        return EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse(config.Embedding), cache, config.EmbeddingBatch, config.EmbeddingMemoryMegabytes * (1L << 20)).GetAwaiter().GetResult();
    }
}
