using YamlDotNet.Serialization;

namespace Avengers.Server.Configuration;

/// <summary>
/// The gateway's configuration: one immutable record, read from the YAML file (<see cref="GatewayConfigLoader"/>) or
/// bound from a host's configuration section; every rule about it is checked in one place, <see cref="GatewayConfigLoader.Validate(GatewayConfig, Func{string, string?})"/>.
/// </summary>
public sealed record GatewayConfig
{
    [YamlMember(Alias = "listen"), ConfigurationKeyName("listen")] public string Listen { get; init; } = "http://127.0.0.1:8080";
    /// <summary>Router artifact written by <c>avengers calibrate</c>.</summary>
    [YamlMember(Alias = "router"), ConfigurationKeyName("router")] public string? Router { get; init; }
    [YamlMember(Alias = "embedding"), ConfigurationKeyName("embedding")] public string? Embedding { get; init; }
    /// <summary>Most questions one embedding run takes: concurrent questions that miss the cache share a run (1: one run each).</summary>
    [YamlMember(Alias = "embedding_batch_size"), ConfigurationKeyName("embedding_batch_size")] public int EmbeddingBatchSize { get; init; } = 32;
    /// <summary>How long a question may wait for others to join its run, in milliseconds (0: never; a batch is what queued during the previous run).</summary>
    [YamlMember(Alias = "embedding_batch_wait_ms"), ConfigurationKeyName("embedding_batch_wait_ms")] public double EmbeddingBatchWaitMilliseconds { get; init; }
    /// <summary>Megabytes of query vectors this process keeps in memory in front of the embedding cache file (0: none).</summary>
    [YamlMember(Alias = "embedding_memory_mb"), ConfigurationKeyName("embedding_memory_mb")] public int EmbeddingMemoryMegabytes { get; init; } = 64;
    /// <summary>The batching settings in effect.</summary>
    [YamlIgnore] public Avengers.Embedding.EmbeddingBatchOptions EmbeddingBatch => new() { MaxBatch = EmbeddingBatchSize, MaxWait = TimeSpan.FromMilliseconds(EmbeddingBatchWaitMilliseconds) };
    /// <summary>Embedding cache file, or "none".</summary>
    [YamlMember(Alias = "embedding_cache"), ConfigurationKeyName("embedding_cache")] public string? EmbeddingCache { get; init; }
    /// <summary>Names of environment variables holding the gateway's own API keys (no keys: no authentication).</summary>
    [YamlMember(Alias = "api_keys_env"), ConfigurationKeyName("api_keys_env")] public IReadOnlyList<string> ApiKeysEnv { get; init; } = [];
    /// <summary>
    /// Gateway keys with a name (which labels metrics and logs, never the key) and optional limits per key:
    /// requests and tokens per minute, a spend budget per day or month. Shared by every replica when Redis is configured.
    /// </summary>
    [YamlMember(Alias = "api_keys"), ConfigurationKeyName("api_keys")] public IReadOnlyList<ApiKeyConfig> ApiKeys { get; init; } = [];
    /// <summary>Fleet mode: a StackExchange.Redis configuration string ("host:port,password=..."); null: everything in this process.</summary>
    [YamlMember(Alias = "redis"), ConfigurationKeyName("redis")] public string? Redis { get; init; }
    /// <summary>The environment variable holding the Redis configuration string instead (for passwords and TLS settings).</summary>
    [YamlMember(Alias = "redis_env"), ConfigurationKeyName("redis_env")] public string? RedisEnv { get; init; }
    /// <summary>Prefix of every Redis key, so that several gateways can share one server.</summary>
    [YamlMember(Alias = "redis_prefix"), ConfigurationKeyName("redis_prefix")] public string RedisPrefix { get; init; } = "avengers:";
    /// <summary>When Redis cannot be reached: open (limits are not enforced, logged and counted) or closed (requests with limits are refused).</summary>
    [YamlMember(Alias = "redis_failure"), ConfigurationKeyName("redis_failure")] public string RedisFailure { get; init; } = "open";
    /// <summary>How long one Redis call may take before it counts as a failure, in milliseconds.</summary>
    [YamlMember(Alias = "redis_timeout_ms"), ConfigurationKeyName("redis_timeout_ms")] public int RedisTimeoutMilliseconds { get; init; } = 250;
    /// <summary>Most request permits a replica counts in Redis at once for a busy key far from its limits (1: every request asks Redis).</summary>
    [YamlMember(Alias = "redis_limit_lease"), ConfigurationKeyName("redis_limit_lease")] public int RedisLimitLease { get; init; } = 64;
    /// <summary>Live feedback (POST /v1/feedback): how long answers can be rated, how many are remembered, how fast live evidence fades.</summary>
    [YamlMember(Alias = "feedback"), ConfigurationKeyName("feedback")] public FeedbackConfig Feedback { get; init; } = new();
    /// <summary>/metrics asks for the same bearer keys as /v1 (when keys are configured).</summary>
    [YamlMember(Alias = "metrics_require_key"), ConfigurationKeyName("metrics_require_key")] public bool MetricsRequireKey { get; init; }
    [YamlMember(Alias = "max_body_bytes"), ConfigurationKeyName("max_body_bytes")] public long MaxBodyBytes { get; init; } = 1 << 20;
    /// <summary>Deadline of a whole request, every sample, retry and fallback included (a request may ask for less with avengers.timeout_seconds).</summary>
    [YamlMember(Alias = "request_timeout_seconds"), ConfigurationKeyName("request_timeout_seconds")] public double RequestTimeoutSeconds { get; init; } = 300;
    /// <summary>
    /// On SIGTERM or Ctrl+C: how long requests in flight may run on while no new ones are taken; null: the request
    /// deadline plus 5 s, so every admitted request can finish. Set it below the orchestrator's grace period.
    /// </summary>
    [YamlMember(Alias = "drain_seconds"), ConfigurationKeyName("drain_seconds")] public double? DrainSeconds { get; init; }
    /// <summary>The drain time in effect.</summary>
    [YamlIgnore] public TimeSpan Drain => TimeSpan.FromSeconds(DrainSeconds ?? RequestTimeoutSeconds + 5);
    /// <summary>Backend calls one request may make in all (samples, switch, fallbacks); a call asking for n samples counts once.</summary>
    [YamlMember(Alias = "max_calls_per_request"), ConfigurationKeyName("max_calls_per_request")] public int MaxCallsPerRequest { get; init; } = Avengers.Ensemble.EnsembleSettings.DefaultMaxCalls;
    [YamlMember(Alias = "strategy"), ConfigurationKeyName("strategy")] public StrategyConfig Strategy { get; init; } = new();
    [YamlMember(Alias = "backends"), ConfigurationKeyName("backends")] public IReadOnlyList<BackendConfig> Backends { get; init; } = [];
    /// <summary>
    /// A backend asked only when every model the router ranked failed (e.g. a larger hosted model); null: none, the
    /// request fails with 502. Not when they are busy (429) or refuse the request itself.
    /// </summary>
    [YamlMember(Alias = "fallback"), ConfigurationKeyName("fallback")] public string? Fallback { get; init; }

    /// <summary>Where the file was loaded from (relative paths in it resolve against its folder).</summary>
    [YamlIgnore] public string? SourcePath { get; init; }

    /// <summary>"strategy: ~", an empty "backends:" and the like mean the defaults, not a crash later.</summary>
    public GatewayConfig Normalized() => Strategy is not null && Backends is not null && ApiKeysEnv is not null && ApiKeys is not null && RedisPrefix is not null && RedisFailure is not null && Feedback is not null ? this
        : this with { Feedback = Feedback ?? new FeedbackConfig(), Strategy = Strategy ?? new StrategyConfig(), Backends = Backends ?? [], ApiKeysEnv = ApiKeysEnv ?? [], ApiKeys = ApiKeys ?? [], RedisPrefix = RedisPrefix ?? "avengers:", RedisFailure = RedisFailure ?? "open" };

    /// <summary>The Redis configuration string in effect (from <see cref="Redis"/> or the variable <see cref="RedisEnv"/> names), or null.</summary>
    public string? RedisConnection(Func<string, string?> environment) => Redis ?? (RedisEnv is null ? null : environment(RedisEnv));
}
