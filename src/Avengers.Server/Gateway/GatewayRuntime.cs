using System.ClientModel.Primitives;
using Avengers.Embedding;
using Avengers.Ensemble;
using Avengers.Routing;
using Avengers.Server.Configuration;
using Microsoft.Extensions.AI;

namespace Avengers.Server.Gateway;

/// <summary>
/// The gateway's runtime model, built once from a validated configuration: the router, one resilient
/// member client per backend, the ensemble over them, and the gateway's own API keys.
/// </summary>
internal sealed class GatewayRuntime : IDisposable
{
    /// <summary>Stops the readiness probe's client (the backends' clients belong to the host's IHttpClientFactory).</summary>
    public void Dispose() => Probe.Dispose();

    /// <summary>What a router artifact makes of the gateway; swapped whole, so a request sees one artifact from start to end.</summary>
    private sealed record RoutingState(RouterArtifact Artifact, ClusterRouter Router, IChatClient Ensemble, EnsembleSettings Defaults);

    private volatile RoutingState _state;
    private readonly Func<RouterArtifact, RoutingState> _build;
    private readonly Lock _swapGate = new();

    private GatewayRuntime(GatewayConfig config, RoutingState state, Func<RouterArtifact, RoutingState> build, IReadOnlyDictionary<string, IChatClient> members,
        IReadOnlyList<Fleet.GatewayKey> keys, EmbeddingStack embedding, BackendProbe probe, GatewayMetrics? metrics,
        IEmbeddingGenerator<string, Embedding<float>> queryEmbedder, Fleet.KeyLimiter limiter, Fleet.RedisFleet? fleet)
    {
        _state = state;
        _build = build;
        QueryEmbedder = queryEmbedder;
        Limiter = limiter;
        Fleet = fleet;
        NamedKeys = keys;
        Metrics = metrics;
        Probe = probe;
        Config = config;
        Members = members;
        Keys = [.. keys.Select(k => k.Secret)];
        Embedding = embedding;
    }

    public GatewayConfig Config { get; }
    /// <summary>The router artifact serving new requests (swapped by a rollout; requests in flight keep theirs).</summary>
    public RouterArtifact Artifact => _state.Artifact;
    public ClusterRouter Router => _state.Router;
    /// <summary>One client per backend, keyed by the model name the artifact uses.</summary>
    public IReadOnlyDictionary<string, IChatClient> Members { get; }
    /// <summary>The ensemble, with the configured last-resort backend behind it when there is one.</summary>
    public IChatClient Ensemble => _state.Ensemble;
    public EnsembleSettings Defaults => _state.Defaults;

    /// <summary>Raised after a new artifact was swapped in (its SHA-256).</summary>
    public event Action<string>? ArtifactSwapped;

    /// <summary>
    /// Swaps in a new router artifact for the requests that start from now on, after checking that it fits this gateway
    /// (the same embedding model, every backend one of its models); requests in flight finish on the old one.
    /// </summary>
    /// <returns>Null when swapped (or already serving it), else why the artifact was refused (the old one stays).</returns>
    public string? TrySwap(RouterArtifact candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (CompatibilityProblem(candidate, Embedding.ModelId, Embedding.Dimension, Config) is string problem) return problem;
        lock (_swapGate)
        {
            if (candidate.FileHash is not null && candidate.FileHash == _state.Artifact.FileHash) return null;
            _state = _build(candidate);
        }
        ArtifactSwapped?.Invoke(candidate.FileHash ?? "");
        return null;
    }

    /// <summary>Why an artifact cannot serve this configuration (another embedding model, a backend it does not rank), or null.</summary>
    public static string? CompatibilityProblem(RouterArtifact artifact, string embeddingModel, int dimension, GatewayConfig config)
    {
        RouterManifest.EmbeddingInfo embedding = artifact.Manifest.Embedding;
        if (embedding.Model != embeddingModel || embedding.Dimension != dimension)
            return $"it was calibrated with {embedding.Model} ({embedding.Dimension} dimensions) and this gateway embeds with {embeddingModel} ({dimension})";
        string[] unknown = [.. config.Backends.Select(b => b.Name!).Where(n => n != config.Fallback && !artifact.Manifest.Models.Contains(n))];
        return unknown.Length > 0 ? $"its models ({string.Join(", ", artifact.Manifest.Models)}) lack the backend(s) {string.Join(", ", unknown)}" : null;
    }
    /// <summary>The gateway's API keys (empty: no authentication).</summary>
    public IReadOnlyList<string> Keys { get; }
    /// <summary>The same keys with their names and limits.</summary>
    public IReadOnlyList<Fleet.GatewayKey> NamedKeys { get; }
    /// <summary>What embeds queries: the model behind the caches (in fleet mode, the shared tier first).</summary>
    public IEmbeddingGenerator<string, Embedding<float>> QueryEmbedder { get; }
    /// <summary>Enforces each key's request, token and spend limits.</summary>
    public Fleet.KeyLimiter Limiter { get; }
    /// <summary>The Redis connection in fleet mode; null when everything stays in this process.</summary>
    public Fleet.RedisFleet? Fleet { get; }
    public EmbeddingStack Embedding { get; }
    /// <summary>The gateway's request, token and cost instruments (none outside a host).</summary>
    public GatewayMetrics? Metrics { get; }

    /// <summary>Checks that the backends answer (readiness).</summary>
    public BackendProbe Probe { get; }

    private int _inFlight;
    private volatile bool _draining;

    /// <summary>True once the host began to stop: readiness fails so that load balancers stop sending.</summary>
    public bool Draining => _draining;
    /// <summary>Gateway requests being served now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);
    internal void BeginDrain() => _draining = true;
    internal void RequestStarted() => Interlocked.Increment(ref _inFlight);
    internal void RequestEnded() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// What the tokens cost, from the backends' prices per million tokens (price_input_per_million,
    /// price_output_per_million); null when a model that was called has no price.
    /// </summary>
    public double? CostOf(IReadOnlyDictionary<string, ModelUsage> usage)
    {
        double total = 0;
        foreach (var (model, used) in usage)
        {
            if (CostOf(model, used) is not double cost) return null;
            total += cost;
        }
        return usage.Count == 0 ? null : total;
    }

    /// <summary>What one model's tokens cost; null when its backend has no prices.</summary>
    public double? CostOf(string model, ModelUsage used)
    {
        BackendConfig? backend = Config.Backends.FirstOrDefault(b => b.Name == model);
        if (backend?.PriceInputPerMillion is not double input || backend.PriceOutputPerMillion is not double output) return null;
        return (used.InputTokens * input + used.OutputTokens * output) / 1e6;
    }

    /// <param name="config">A configuration that passed <see cref="GatewayConfigValidation"/>.</param>
    /// <param name="artifact">The router artifact that validation read (so it is read once).</param>
    /// <param name="members">One client per backend, keyed by its name (the keyed <c>IChatClient</c> services of <c>AddAvengersBackends</c>).</param>
    /// <param name="circuits">The backends' breaker states, shared with their pipelines.</param>
    /// <param name="queryEmbedder">What embeds queries (null: the stack's generator); fleet mode passes the shared cache.</param>
    /// <param name="limits">Where key limits are counted (null: in this process).</param>
    /// <param name="fleet">The Redis connection in fleet mode.</param>
    /// <param name="time">Where time is read (limit windows, live evidence's decay); null: the system clock.</param>
    public static GatewayRuntime Create(GatewayConfig config, RouterArtifact artifact, EmbeddingStack embedding, IReadOnlyDictionary<string, IChatClient> members, BackendCircuits circuits,
        Func<string, string?>? environment = null, ILoggerFactory? loggers = null, GatewayMetrics? metrics = null, EnsembleMetrics? ensembleMetrics = null,
        IEmbeddingGenerator<string, Embedding<float>>? queryEmbedder = null, Fleet.IKeyLimitStore? limits = null, Fleet.RedisFleet? fleet = null,
        System.Diagnostics.Metrics.IMeterFactory? meters = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        queryEmbedder ??= embedding.Generator;
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(circuits);
        environment ??= Environment.GetEnvironmentVariable;

        // What an artifact makes of the gateway: built at start, and again for each artifact a rollout swaps in.
        RoutingState Build(RouterArtifact serving)
        {
            // Live feedback adds to this artifact's counts (another artifact has other clusters: it starts afresh).
            var router = new ClusterRouter(serving)
            {
                Live = new Scoring.LiveEvidence(serving.Scores.ClusterCount, serving.Scores.Models, TimeSpan.FromHours(config.Feedback.HalfLifeHours), config.Feedback.MaxLivePerCluster, time,
                    clustersPerPartition: serving.Manifest.Clustering.K, calibrated: serving.Scores, changeThreshold: config.Feedback.ChangeThreshold),
            };
            ILogger changes = loggers?.CreateLogger("Avengers.Gateway.Feedback") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
            router.Live.ChangeDetected += (cluster, model) =>
            {
                GatewayLog.ModelChanged(changes, model, cluster, serving.FileHash);
                metrics?.RecordModelChange(model);
            };
            router.Live.ModelChangeDetected += (model, scale) =>
            {
                GatewayLog.ModelChangedEverywhere(changes, model, scale, serving.FileHash);
                metrics?.RecordModelChange(model, everywhere: true);
            };
            // The artifact's choice first (made by cross-validation at calibration), then the YAML, then each request.
            EnsemblePolicy policy = serving.Manifest.Policy ?? new EnsemblePolicy
            {
                Strategy = serving.Manifest.Defaults.Strategy,
                TopN = serving.Manifest.Defaults.TopN,
                TopK = serving.Manifest.Defaults.TopK,
                WeightedVote = serving.Manifest.Defaults.WeightedVote,
                SwitchThreshold = serving.Manifest.Defaults.SwitchThreshold,
            };
            // The per-query parts of the policy (the guard's model, clusters that trust their leader) hold while the YAML keeps the strategy.
            EnsembleSettings defaults = (EnsembleSettings.From(policy, new RoutingOptions { Beta = serving.Manifest.Defaults.Beta })
                with
            { MaxCallsPerRequest = config.MaxCallsPerRequest }).With(config.Strategy.ToOverrides());
            var united = new EnsembleChatClient(members, router, queryEmbedder, defaults, loggers?.CreateLogger<EnsembleChatClient>(), ensembleMetrics);
            // A configured last resort sits behind the ensemble, composed as Microsoft.Extensions.AI composes its stages.
            IChatClient ensemble = config.Fallback is string last ? new ChatClientBuilder(members[last]).UseAvengersEnsemble(united).Build() : united;
            return new RoutingState(serving, router, ensemble, defaults);
        }
        // api_keys_env keys are named by their variable; api_keys by their name, with their limits.
        List<Fleet.GatewayKey> keys =
        [
            .. config.ApiKeysEnv.Select(name => new Fleet.GatewayKey(name, environment(name)!, null)),
            .. config.ApiKeys.Select(k => new Fleet.GatewayKey(k.Name!, environment(k.KeyEnv!)!, k)),
        ];
        // Every configured secret is redacted from logs wherever it appears (a backend's 401 body may echo its key).
        BackendFailures.RegisterSecrets(keys.Select(k => k.Secret).Concat(config.Backends.Select(b => b.ApiKeyEnv is null ? null : environment(b.ApiKeyEnv)))
            .Append(config.RedisConnection(environment) is string redis ? StackExchange.Redis.ConfigurationOptions.Parse(redis).Password : null));
        var limiter = new Fleet.KeyLimiter(limits ?? new Fleet.InProcessKeyLimitStore(time), fleet,
            loggers?.CreateLogger("Avengers.Gateway") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, meters, time);
        var probe = new BackendProbe(config.Backends.Select(b => (b.Name!, b.BaseUrl!, b.ApiKeyEnv is null ? null : environment(b.ApiKeyEnv))),
            circuitOpen: circuits.IsOpen, servedModel: config.Backends.ToDictionary(b => b.Name!, b => b.Model ?? b.Name!));
        return new GatewayRuntime(config, Build(artifact), Build, members, keys, embedding, probe, metrics, queryEmbedder, limiter, fleet);
    }
}
