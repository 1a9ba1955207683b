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

public sealed record StrategyConfig
{
    /// <summary>direct | vote | switch; null: the router artifact's choice (made by cross-validation at calibration).</summary>
    [YamlMember(Alias = "default"), ConfigurationKeyName("default")] public string? Default { get; init; }
    /// <summary>Samples per request; null: <see cref="Avengers.Ensemble.EnsembleSettings.DefaultSamples"/>.</summary>
    [YamlMember(Alias = "n"), ConfigurationKeyName("n")] public int? Samples { get; init; }
    /// <summary>Models the samples are spread over; null: the router artifact's choice.</summary>
    [YamlMember(Alias = "top_n"), ConfigurationKeyName("top_n")] public int? TopN { get; init; }
    /// <summary>Clusters blended per partition; null: the router artifact's choice.</summary>
    [YamlMember(Alias = "top_k"), ConfigurationKeyName("top_k")] public int? TopK { get; init; }
    // Null keeps the setting below this layer: every default is EnsembleSettings' (one set of defaults and ranges).
    [YamlMember(Alias = "temperature"), ConfigurationKeyName("temperature")] public float? Temperature { get; init; }
    [YamlMember(Alias = "adaptive"), ConfigurationKeyName("adaptive")] public bool? Adaptive { get; init; }
    [YamlMember(Alias = "switch_threshold"), ConfigurationKeyName("switch_threshold")] public double? SwitchThreshold { get; init; }
    /// <summary>Cost-aware routing weight of accuracy against cost (needs an artifact calibrated with prices).</summary>
    [YamlMember(Alias = "alpha"), ConfigurationKeyName("alpha")] public double? Alpha { get; init; }

    /// <summary>This section as the layer it is over the artifact's policy (validate first: an unknown strategy name is left out).</summary>
    public Avengers.Ensemble.SettingsOverrides ToOverrides() => new()
    {
        Strategy = Default is string named && Avengers.Voting.EnsembleStrategies.TryParse(named, out Avengers.Voting.EnsembleStrategy parsed) ? parsed : null,
        Samples = Samples,
        TopN = TopN,
        TopK = TopK,
        Temperature = Temperature,
        Adaptive = Adaptive,
        SwitchThreshold = SwitchThreshold,
        Alpha = Alpha,
    };
}

public sealed record BackendConfig
{
    /// <summary>The model name the router artifact uses for this backend.</summary>
    [YamlMember(Alias = "name"), ConfigurationKeyName("name")] public string? Name { get; init; }
    /// <summary>OpenAI-compatible base URL, e.g. http://localhost:8000/v1.</summary>
    [YamlMember(Alias = "base_url"), ConfigurationKeyName("base_url")] public string? BaseUrl { get; init; }
    /// <summary>Model id sent to the backend (default: the name).</summary>
    [YamlMember(Alias = "model"), ConfigurationKeyName("model")] public string? Model { get; init; }
    [YamlMember(Alias = "api_key_env"), ConfigurationKeyName("api_key_env")] public string? ApiKeyEnv { get; init; }
    [YamlMember(Alias = "timeout_seconds"), ConfigurationKeyName("timeout_seconds")] public double TimeoutSeconds { get; init; } = 120;
    [YamlMember(Alias = "max_concurrency"), ConfigurationKeyName("max_concurrency")] public int MaxConcurrency { get; init; } = 16;
    [YamlMember(Alias = "max_queue"), ConfigurationKeyName("max_queue")] public int MaxQueue { get; init; } = 64;
    /// <summary>Ask for all of a vote's samples in one request (OpenAI's n); a backend that ignores n is topped up with parallel requests.</summary>
    [YamlMember(Alias = "supports_n"), ConfigurationKeyName("supports_n")] public bool SupportsN { get; init; } = true;
    /// <summary>Retries after a transient failure (5xx, 408, 429, network); Retry-After is honoured.</summary>
    [YamlMember(Alias = "retries"), ConfigurationKeyName("retries")] public int Retries { get; init; } = 2;
    [YamlMember(Alias = "retry_delay_ms"), ConfigurationKeyName("retry_delay_ms")] public double RetryDelayMilliseconds { get; init; } = 200;
    /// <summary>The circuit opens when this share of at least <see cref="BreakerMinimumThroughput"/> calls in 30 s failed.</summary>
    [YamlMember(Alias = "breaker_failure_ratio"), ConfigurationKeyName("breaker_failure_ratio")] public double BreakerFailureRatio { get; init; } = 0.5;
    [YamlMember(Alias = "breaker_minimum_throughput"), ConfigurationKeyName("breaker_minimum_throughput")] public int BreakerMinimumThroughput { get; init; } = 10;
    [YamlMember(Alias = "break_seconds"), ConfigurationKeyName("break_seconds")] public double BreakSeconds { get; init; } = 15;
    [YamlMember(Alias = "price_input_per_million"), ConfigurationKeyName("price_input_per_million")] public double? PriceInputPerMillion { get; init; }
    [YamlMember(Alias = "price_output_per_million"), ConfigurationKeyName("price_output_per_million")] public double? PriceOutputPerMillion { get; init; }
}

/// <summary>A gateway key with a name and optional limits (none: unlimited).</summary>
public sealed record ApiKeyConfig
{
    /// <summary>Labels the key in metrics, logs and limit counters; the key itself is never shown.</summary>
    [YamlMember(Alias = "name"), ConfigurationKeyName("name")] public string? Name { get; init; }
    /// <summary>The environment variable that holds the key.</summary>
    [YamlMember(Alias = "key_env"), ConfigurationKeyName("key_env")] public string? KeyEnv { get; init; }
    [YamlMember(Alias = "requests_per_minute"), ConfigurationKeyName("requests_per_minute")] public int? RequestsPerMinute { get; init; }
    /// <summary>Prompt and completion tokens per minute, counted from the usage the backends returned (every sample of a vote).</summary>
    [YamlMember(Alias = "tokens_per_minute"), ConfigurationKeyName("tokens_per_minute")] public long? TokensPerMinute { get; init; }
    /// <summary>US dollars per budget period, from the backends' prices of the calls each request made.</summary>
    [YamlMember(Alias = "budget_usd"), ConfigurationKeyName("budget_usd")] public double? BudgetUsd { get; init; }
    /// <summary>day or month (UTC calendar periods).</summary>
    [YamlMember(Alias = "budget_period"), ConfigurationKeyName("budget_period")] public string BudgetPeriod { get; init; } = "day";

    /// <summary>True when any limit is set.</summary>
    [YamlIgnore] public bool Limited => RequestsPerMinute is not null || TokensPerMinute is not null || BudgetUsd is not null;
}

/// <summary>Live feedback settings.</summary>
public sealed record FeedbackConfig
{
    /// <summary>How long after an answer it can be rated (its decision is remembered that long).</summary>
    [YamlMember(Alias = "ttl_minutes"), ConfigurationKeyName("ttl_minutes")] public double TtlMinutes { get; init; } = 60;
    /// <summary>Most decisions remembered at once in this process (Redis keeps them by TTL alone).</summary>
    [YamlMember(Alias = "max_remembered"), ConfigurationKeyName("max_remembered")] public int MaxRemembered { get; init; } = 100_000;
    /// <summary>After this long live evidence counts half (so drift is followed and noise forgotten).</summary>
    [YamlMember(Alias = "half_life_hours"), ConfigurationKeyName("half_life_hours")] public double HalfLifeHours { get; init; } = 72;
    /// <summary>Most live answers one cluster and model may hold (null: no cap): for deployments whose raters are not all trusted.</summary>
    [YamlMember(Alias = "max_live_per_cluster"), ConfigurationKeyName("max_live_per_cluster")] public double? MaxLivePerCluster { get; init; }
    /// <summary>
    /// JSON Lines file every applied rating is appended to, in the benchmark format (the question, each rated model's
    /// outcome as its score), for <c>avengers feedback export</c> and <c>calibrate --feedback</c>; null: none. In fleet
    /// mode the log is a Redis list instead.
    /// </summary>
    [YamlMember(Alias = "log"), ConfigurationKeyName("log")] public string? Log { get; init; }
}
