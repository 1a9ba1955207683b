using YamlDotNet.Serialization;

namespace Avengers.Server.Configuration;

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
