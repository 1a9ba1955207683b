using Microsoft.Extensions.Configuration;
using YamlDotNet.Serialization;

namespace Avengers.Server.Configuration;

/// <summary>The gateway's YAML configuration (immutable after load; see <see cref="GatewayConfigLoader"/>).</summary>
public sealed class GatewayConfig
{
    [YamlMember(Alias = "listen"), ConfigurationKeyName("listen")] public string Listen { get; set; } = "http://127.0.0.1:8080";
    /// <summary>Router artifact written by <c>avengers calibrate</c>.</summary>
    [YamlMember(Alias = "router"), ConfigurationKeyName("router")] public string? Router { get; set; }
    [YamlMember(Alias = "embedding"), ConfigurationKeyName("embedding")] public string? Embedding { get; set; }
    /// <summary>Embedding cache file, or "none".</summary>
    [YamlMember(Alias = "embedding_cache"), ConfigurationKeyName("embedding_cache")] public string? EmbeddingCache { get; set; }
    /// <summary>Names of environment variables holding the gateway's own API keys (no keys: no authentication).</summary>
    [YamlMember(Alias = "api_keys_env"), ConfigurationKeyName("api_keys_env")] public List<string> ApiKeysEnv { get; set; } = [];
    /// <summary>/metrics asks for the same bearer keys as /v1 (when keys are configured).</summary>
    [YamlMember(Alias = "metrics_require_key"), ConfigurationKeyName("metrics_require_key")] public bool MetricsRequireKey { get; set; }
    [YamlMember(Alias = "max_body_bytes"), ConfigurationKeyName("max_body_bytes")] public long MaxBodyBytes { get; set; } = 1 << 20;
    /// <summary>Deadline of a whole request, every sample, retry and fallback included (a request may ask for less with avengers.timeout_seconds).</summary>
    [YamlMember(Alias = "request_timeout_seconds"), ConfigurationKeyName("request_timeout_seconds")] public double RequestTimeoutSeconds { get; set; } = 300;
    /// <summary>Backend calls one request may make in all (samples, switch, fallbacks); a call asking for n samples counts once.</summary>
    [YamlMember(Alias = "max_calls_per_request"), ConfigurationKeyName("max_calls_per_request")] public int MaxCallsPerRequest { get; set; } = Avengers.Ensemble.EnsembleChatOptions.DefaultMaxCalls;
    [YamlMember(Alias = "strategy"), ConfigurationKeyName("strategy")] public StrategyConfig Strategy { get; set; } = new();
    [YamlMember(Alias = "backends"), ConfigurationKeyName("backends")] public List<BackendConfig> Backends { get; set; } = [];

    /// <summary>Where the file was loaded from (relative paths in it resolve against its folder).</summary>
    [YamlIgnore] public string? SourcePath { get; set; }
}

public sealed class StrategyConfig
{
    /// <summary>direct | vote | switch; null: the router artifact's choice (made by cross-validation at calibration).</summary>
    [YamlMember(Alias = "default"), ConfigurationKeyName("default")] public string? Default { get; set; }
    [YamlMember(Alias = "n"), ConfigurationKeyName("n")] public int Samples { get; set; } = 10;
    /// <summary>Models the samples are spread over; null: the router artifact's choice.</summary>
    [YamlMember(Alias = "top_n"), ConfigurationKeyName("top_n")] public int? TopN { get; set; }
    /// <summary>Clusters blended per partition; null: the router artifact's choice.</summary>
    [YamlMember(Alias = "top_k"), ConfigurationKeyName("top_k")] public int? TopK { get; set; }
    [YamlMember(Alias = "temperature"), ConfigurationKeyName("temperature")] public float Temperature { get; set; } = 0.7f;
    [YamlMember(Alias = "adaptive"), ConfigurationKeyName("adaptive")] public bool Adaptive { get; set; } = true;
    [YamlMember(Alias = "switch_threshold"), ConfigurationKeyName("switch_threshold")] public double SwitchThreshold { get; set; } = 0.8;
    /// <summary>Cost-aware routing weight of accuracy against cost (needs an artifact calibrated with prices).</summary>
    [YamlMember(Alias = "alpha"), ConfigurationKeyName("alpha")] public double? Alpha { get; set; }
}

public sealed class BackendConfig
{
    /// <summary>The model name the router artifact uses for this backend.</summary>
    [YamlMember(Alias = "name"), ConfigurationKeyName("name")] public string? Name { get; set; }
    /// <summary>OpenAI-compatible base URL, e.g. http://localhost:8000/v1.</summary>
    [YamlMember(Alias = "base_url"), ConfigurationKeyName("base_url")] public string? BaseUrl { get; set; }
    /// <summary>Model id sent to the backend (default: the name).</summary>
    [YamlMember(Alias = "model"), ConfigurationKeyName("model")] public string? Model { get; set; }
    [YamlMember(Alias = "api_key_env"), ConfigurationKeyName("api_key_env")] public string? ApiKeyEnv { get; set; }
    [YamlMember(Alias = "timeout_seconds"), ConfigurationKeyName("timeout_seconds")] public double TimeoutSeconds { get; set; } = 120;
    [YamlMember(Alias = "max_concurrency"), ConfigurationKeyName("max_concurrency")] public int MaxConcurrency { get; set; } = 16;
    [YamlMember(Alias = "max_queue"), ConfigurationKeyName("max_queue")] public int MaxQueue { get; set; } = 64;
    /// <summary>Ask for all of a vote's samples in one request (OpenAI's n); a backend that ignores n is topped up with parallel requests.</summary>
    [YamlMember(Alias = "supports_n"), ConfigurationKeyName("supports_n")] public bool SupportsN { get; set; } = true;
    /// <summary>Retries after a transient failure (5xx, 408, 429, network); Retry-After is honoured.</summary>
    [YamlMember(Alias = "retries"), ConfigurationKeyName("retries")] public int Retries { get; set; } = 2;
    [YamlMember(Alias = "retry_delay_ms"), ConfigurationKeyName("retry_delay_ms")] public double RetryDelayMilliseconds { get; set; } = 200;
    /// <summary>The circuit opens when this share of at least <see cref="BreakerMinimumThroughput"/> calls in 30 s failed.</summary>
    [YamlMember(Alias = "breaker_failure_ratio"), ConfigurationKeyName("breaker_failure_ratio")] public double BreakerFailureRatio { get; set; } = 0.5;
    [YamlMember(Alias = "breaker_minimum_throughput"), ConfigurationKeyName("breaker_minimum_throughput")] public int BreakerMinimumThroughput { get; set; } = 10;
    [YamlMember(Alias = "break_seconds"), ConfigurationKeyName("break_seconds")] public double BreakSeconds { get; set; } = 15;
    [YamlMember(Alias = "price_input_per_million"), ConfigurationKeyName("price_input_per_million")] public double? PriceInputPerMillion { get; set; }
    [YamlMember(Alias = "price_output_per_million"), ConfigurationKeyName("price_output_per_million")] public double? PriceOutputPerMillion { get; set; }
}
