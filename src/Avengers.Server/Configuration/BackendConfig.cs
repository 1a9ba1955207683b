using YamlDotNet.Serialization;

namespace Avengers.Server.Configuration;

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
