using Avengers.Routing;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Avengers.Server.Configuration;

/// <summary>Loads the YAML configuration and checks all of it, reporting every problem with its path.</summary>
public static class GatewayConfigLoader
{
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="GatewayConfigException">YAML syntax error or unknown key (with line and column).</exception>
    public static GatewayConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"configuration file not found: {path}", path);
        // The record's lists are read-only; the file's lists are read into List<T>.
        IDeserializer deserializer = new DeserializerBuilder()
            .WithTypeMapping<IReadOnlyList<BackendConfig>, List<BackendConfig>>()
            .WithTypeMapping<IReadOnlyList<string>, List<string>>()
            .WithTypeMapping<IReadOnlyList<ApiKeyConfig>, List<ApiKeyConfig>>()
            .Build();
        try
        {
            GatewayConfig config = deserializer.Deserialize<GatewayConfig>(File.ReadAllText(path)) ?? new GatewayConfig();
            return config.Normalized() with { SourcePath = Path.GetFullPath(path) };
        }
        catch (YamlException ex)
        {
            throw new GatewayConfigException([$"{path}:{ex.Start.Line}:{ex.Start.Column}: {Describe(ex, path)}"]);
        }
    }

    /// <summary>A YAML failure in words: a value of the wrong type names its key and what was expected, never a .NET type.</summary>
    private static string Describe(YamlException ex, string path)
    {
        string message = ex.InnerException?.Message ?? ex.Message;
        System.Text.RegularExpressions.Match into = System.Text.RegularExpressions.Regex.Match(message, @"into type (?<t>[\w.`\[\]]+)");
        // A scalar that does not parse (a word where a number belongs) says only "the input string 'x' was not in a
        // correct format": what was expected comes from the type of the setting the line names.
        bool unparsed = ex.InnerException is FormatException or OverflowException;
        string? key = KeyOnLine(path, ex.Start.Line);
        string? type = into.Success ? into.Groups["t"].Value : unparsed && key is not null ? SettingType(key)?.FullName : null;
        if (type is null && !unparsed && !message.Contains("deserializ", StringComparison.OrdinalIgnoreCase)) return message;
        string expected = (type ?? "") switch
        {
            var t when t.Contains("System.String", StringComparison.Ordinal) => "a single text value",
            var t when t.Contains("Int32", StringComparison.Ordinal) || t.Contains("Int64", StringComparison.Ordinal) => "a whole number",
            var t when t.Contains("Double", StringComparison.Ordinal) || t.Contains("Single", StringComparison.Ordinal) => "a number",
            var t when t.Contains("Boolean", StringComparison.Ordinal) => "true or false",
            var t when t.Contains("List", StringComparison.Ordinal) => "a list",
            var t when t.Contains("BackendConfig", StringComparison.Ordinal) => "a backend: a mapping with name, base_url and its settings",
            var t when t.Contains("StrategyConfig", StringComparison.Ordinal) => "a mapping of strategy settings (default, n, top_n, ...)",
            _ => unparsed ? "a number" : "another kind of value",
        };
        return key is { Length: > 0 } ? $"'{key}': expected {expected}" : $"expected {expected} here";
    }

    /// <summary>Why a log file cannot be appended to (null: it can). Creates its folder, as the gateway would; leaves no new file behind.</summary>
    private static string? LogProblem(string path)
    {
        if (Directory.Exists(path)) return $"{path} is a folder; expected a file to append ratings to";
        bool existed = File.Exists(path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using (new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { }
            if (!existed) File.Delete(path);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return $"cannot append to {path}: {ex.Message}";
        }
    }

    /// <summary>The key a line of the file sets: what it says before its colon (a list item's dash dropped).</summary>
    private static string? KeyOnLine(string path, long line)
    {
        try
        {
            string? text = File.ReadLines(path).Skip((int)Math.Max(0, line - 1)).FirstOrDefault();
            if (text is not null && text.IndexOf(':') is int colon and > 0 && text[..colon].Trim().TrimStart('-').Trim() is { Length: > 0 } key) return key;
        }
        catch (IOException) { }
        return null;
    }

    /// <summary>The type of the setting a YAML key names, in any section of the configuration (null: not a setting).</summary>
    private static Type? SettingType(string key)
    {
        Type[] sections = [typeof(GatewayConfig), typeof(BackendConfig), typeof(StrategyConfig), typeof(FeedbackConfig), typeof(ApiKeyConfig)];
        foreach (Type section in sections)
            foreach (System.Reflection.PropertyInfo property in section.GetProperties())
                if (property.GetCustomAttributes(typeof(YamlMemberAttribute), false) is [YamlMemberAttribute { Alias: { } alias }] && alias == key)
                    return Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return null;
    }

    /// <summary>A parser's message without the configuration string itself (it may hold a password).</summary>
    private static string BackendFailureText(string message, string secret) => message.Replace(secret, "[redis]", StringComparison.Ordinal);

    /// <summary>Resolves a path in the file relative to the file's folder.</summary>
    public static string Resolve(GatewayConfig config, string path)
        => Path.IsPathRooted(path) || config.SourcePath is null ? path : Path.Combine(Path.GetDirectoryName(config.SourcePath)!, path);

    /// <summary>Longest timeout or delay accepted anywhere (one day): beyond it timers overflow.</summary>
    public const double MaxSeconds = 86_400;
    public const long MaxBodyLimit = 1L << 30;

    /// <summary>Every problem of the configuration, each prefixed with its path in the file; empty when valid.</summary>
    public static IReadOnlyList<string> Validate(GatewayConfig config, Func<string, string?>? environment = null) => Validate(config, environment, out _);

    /// <summary>The same, handing back the router artifact it loaded (so that it is read once), or null when it could not.</summary>
    public static IReadOnlyList<string> Validate(GatewayConfig config, Func<string, string?>? environment, out RouterArtifact? loaded) => Validate(config, environment, needsRouter: true, out loaded);

    /// <summary>Every problem of the backends and settings, without the router (what 'collect' needs before any router exists).</summary>
    public static IReadOnlyList<string> ValidateBackends(GatewayConfig config, Func<string, string?>? environment = null) => Validate(config, environment, needsRouter: false, out _);

    private static IReadOnlyList<string> Validate(GatewayConfig config, Func<string, string?>? environment, bool needsRouter, out RouterArtifact? loaded)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var problems = new List<string>();
        config = config.Normalized();
        if (!Uri.TryCreate(config.Listen, UriKind.Absolute, out Uri? listen) || listen.Scheme is not ("http" or "https"))
            problems.Add($"listen: '{config.Listen}' is not an http(s) URL");
        for (int i = 0; i < config.ApiKeysEnv.Count; i++)
            if (string.IsNullOrEmpty(environment(config.ApiKeysEnv[i]))) problems.Add($"api_keys_env[{i}]: environment variable {config.ApiKeysEnv[i]} is not set");
        var keyNames = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < config.ApiKeys.Count; i++)
        {
            string at = $"api_keys[{i}]";
            if (config.ApiKeys[i] is not ApiKeyConfig k) { problems.Add($"{at}: empty entry (expected name, key_env and optional limits)"); continue; }
            if (string.IsNullOrWhiteSpace(k.Name)) problems.Add($"{at}.name: missing (it labels the key in metrics and logs)");
            else if (!keyNames.Add(k.Name)) problems.Add($"{at}.name: '{k.Name}' is used twice");
            if (string.IsNullOrWhiteSpace(k.KeyEnv)) problems.Add($"{at}.key_env: missing (the environment variable holding the key)");
            else if (string.IsNullOrEmpty(environment(k.KeyEnv))) problems.Add($"{at}.key_env: environment variable {k.KeyEnv} is not set");
            if (k.RequestsPerMinute is < 1) problems.Add($"{at}.requests_per_minute: must be at least 1 (got {k.RequestsPerMinute})");
            if (k.TokensPerMinute is < 1) problems.Add($"{at}.tokens_per_minute: must be at least 1 (got {k.TokensPerMinute})");
            if (k.BudgetUsd is double budget && !(budget > 0 && double.IsFinite(budget))) problems.Add($"{at}.budget_usd: must be a positive number (got {budget})");
            if (k.BudgetPeriod is not ("day" or "month")) problems.Add($"{at}.budget_period: expected day or month (got '{k.BudgetPeriod}')");
            if (k.BudgetUsd is not null && config.Backends.OfType<BackendConfig>().Any(b => b.PriceInputPerMillion is null))
                problems.Add($"{at}.budget_usd: needs prices for every backend (price_input_per_million and price_output_per_million)");
        }
        if (config.Redis is not null && config.RedisEnv is not null) problems.Add("redis_env: give redis or redis_env, not both");
        if (config.RedisEnv is not null && string.IsNullOrEmpty(environment(config.RedisEnv))) problems.Add($"redis_env: environment variable {config.RedisEnv} is not set");
        if (config.RedisConnection(environment) is string redis)
        {
            try { StackExchange.Redis.ConfigurationOptions.Parse(redis); }
            catch (ArgumentException ex) { problems.Add($"redis: not a StackExchange.Redis configuration string ({BackendFailureText(ex.Message, redis)})"); }
        }
        if (config.RedisFailure is not ("open" or "closed")) problems.Add($"redis_failure: expected open or closed (got '{config.RedisFailure}')");
        if (config.RedisTimeoutMilliseconds is < 10 or > 60_000) problems.Add($"redis_timeout_ms: must lie in [10, 60000] (got {config.RedisTimeoutMilliseconds})");
        if (config.RedisLimitLease is < 1 or > 10_000) problems.Add($"redis_limit_lease: must lie in [1, 10000] (got {config.RedisLimitLease}; 1 asks Redis on every request)");
        if (config.EmbeddingBatchSize is < 1 or > 1024) problems.Add($"embedding_batch_size: must lie in [1, 1024] (got {config.EmbeddingBatchSize})");
        if (config.EmbeddingMemoryMegabytes is < 0 or > 1_048_576) problems.Add($"embedding_memory_mb: must lie in [0, 1048576] (got {config.EmbeddingMemoryMegabytes})");
        if (!(config.EmbeddingBatchWaitMilliseconds >= 0 && config.EmbeddingBatchWaitMilliseconds <= 1000)) problems.Add($"embedding_batch_wait_ms: must lie in [0, 1000] (got {config.EmbeddingBatchWaitMilliseconds})");
        if (!(config.Feedback.TtlMinutes > 0 && config.Feedback.TtlMinutes <= MaxSeconds / 60)) problems.Add($"feedback.ttl_minutes: must lie in (0, {MaxSeconds / 60}] (got {config.Feedback.TtlMinutes})");
        if (config.Feedback.MaxRemembered is < 1 or > 100_000_000) problems.Add($"feedback.max_remembered: must lie in [1, 100000000] (got {config.Feedback.MaxRemembered})");
        if (!(config.Feedback.HalfLifeHours > 0 && double.IsFinite(config.Feedback.HalfLifeHours))) problems.Add($"feedback.half_life_hours: must be a positive number (got {config.Feedback.HalfLifeHours})");
        if (config.Feedback.MaxLivePerCluster is double cap && !(cap > 0)) problems.Add($"feedback.max_live_per_cluster: must be positive (got {cap})");
        if (!(config.Feedback.ChangeThreshold >= 0) || double.IsInfinity(config.Feedback.ChangeThreshold)) problems.Add($"feedback.change_threshold: must be a finite number >= 0 (got {config.Feedback.ChangeThreshold})");
        if (config.Feedback.ChangePointZ is not null) problems.Add($"feedback.change_point_z: replaced by feedback.change_threshold (a CUSUM change detector, {Avengers.Scoring.LiveEvidence.DefaultChangeThreshold} by default; 0 turns it off): remove the key");
        if (config.Feedback.MaxRatingsPerKeyPerHour is int perKey && perKey < 1) problems.Add($"feedback.max_ratings_per_key_per_hour: must be at least 1 (got {perKey})");
        // Without Redis the ratings go to this file: a path that cannot be written would lose each one with a warning.
        if (config.Feedback.Log is { Length: > 0 } feedbackLog && config.RedisConnection(environment) is null && LogProblem(Resolve(config, feedbackLog)) is { } logProblem)
            problems.Add($"feedback.log: {logProblem}");
        if (config.MaxBodyBytes is < 1024 or > MaxBodyLimit) problems.Add($"max_body_bytes: must lie in [1024, {MaxBodyLimit}] (got {config.MaxBodyBytes})");
        if (config.MaxCallsPerRequest is < 1 or > 10_000) problems.Add($"max_calls_per_request: must lie in [1, 10000] (got {config.MaxCallsPerRequest})");
        if (!(config.RequestTimeoutSeconds > 0 && config.RequestTimeoutSeconds <= MaxSeconds)) problems.Add($"request_timeout_seconds: must lie in (0, {MaxSeconds}] (got {config.RequestTimeoutSeconds})");
        if (config.DrainSeconds is double drain && !(drain >= 0 && drain <= MaxSeconds)) problems.Add($"drain_seconds: must lie in [0, {MaxSeconds}] (got {drain})");

        StrategyConfig s = config.Strategy;
        if (s.Default is not null && !Voting.EnsembleStrategies.TryParse(s.Default, out _)) problems.Add($"strategy.default: unknown strategy '{s.Default}' (direct, vote, switch)");
        foreach (string problem in s.ToOverrides().Problems()) problems.Add("strategy." + problem);

        RouterArtifact? artifact = null;
        if (!needsRouter) { }
        else if (string.IsNullOrWhiteSpace(config.Router)) problems.Add("router: missing (path of a router artifact written by 'avengers calibrate')");
        else
        {
            try { artifact = RouterArtifact.Load(Resolve(config, config.Router)); }
            catch (Exception ex) when (ex is FileNotFoundException or RouterArtifactException) { problems.Add($"router: {ex.Message}"); }
        }
        if (config.Embedding is not null)
        {
            try { Embedding.EmbeddingModelSpec.Parse(config.Embedding); }
            catch (Exception ex) when (ex is ArgumentException or FileNotFoundException) { problems.Add($"embedding: {ex.Message}"); }
        }

        if (config.Backends.Count == 0) problems.Add("backends: at least one backend is required");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < config.Backends.Count; i++)
        {
            string at = $"backends[{i}]";
            if (config.Backends[i] is not BackendConfig b) { problems.Add($"{at}: empty entry (expected name, base_url, ...)"); continue; }
            if (string.IsNullOrWhiteSpace(b.Name)) problems.Add($"{at}.name: missing");
            else
            {
                if (!names.Add(b.Name)) problems.Add($"{at}.name: '{b.Name}' is used twice");
                // The last resort need not be one of the calibrated models (it is never routed to).
                if (artifact is not null && !artifact.Manifest.Models.Contains(b.Name) && b.Name != config.Fallback)
                    problems.Add($"{at}.name: '{b.Name}' is not a model of the router artifact ({string.Join(", ", artifact.Manifest.Models)}); only the fallback may be another model");
            }
            if (!Uri.TryCreate(b.BaseUrl, UriKind.Absolute, out Uri? url) || url.Scheme is not ("http" or "https"))
                problems.Add($"{at}.base_url: '{b.BaseUrl}' is not an http(s) URL");
            if (b.ApiKeyEnv is not null && string.IsNullOrEmpty(environment(b.ApiKeyEnv)))
                problems.Add($"{at}.api_key_env: environment variable {b.ApiKeyEnv} is not set");
            // Upper bounds too: 1e12 seconds overflows the timers and crashed the gateway at start.
            if (!(b.TimeoutSeconds > 0 && b.TimeoutSeconds <= MaxSeconds)) problems.Add($"{at}.timeout_seconds: must lie in (0, {MaxSeconds}] (got {b.TimeoutSeconds})");
            if (b.MaxConcurrency is < 1 or > 100_000) problems.Add($"{at}.max_concurrency: must lie in [1, 100000] (got {b.MaxConcurrency})");
            if (b.MaxQueue is < 0 or > 1_000_000) problems.Add($"{at}.max_queue: must lie in [0, 1000000] (got {b.MaxQueue})");
            if (b.Retries is < 0 or > 10) problems.Add($"{at}.retries: must lie in 0..10 (got {b.Retries})");
            if (!(b.RetryDelayMilliseconds > 0 && b.RetryDelayMilliseconds <= MaxSeconds * 1000)) problems.Add($"{at}.retry_delay_ms: must lie in (0, {MaxSeconds * 1000}] (got {b.RetryDelayMilliseconds})");
            if (!(b.BreakerFailureRatio > 0 && b.BreakerFailureRatio <= 1)) problems.Add($"{at}.breaker_failure_ratio: must lie in (0, 1] (got {b.BreakerFailureRatio})");
            if (b.BreakerMinimumThroughput is < 2 or > 1_000_000) problems.Add($"{at}.breaker_minimum_throughput: must lie in [2, 1000000] (got {b.BreakerMinimumThroughput})");
            if (!(b.BreakSeconds >= 0.5 && b.BreakSeconds <= MaxSeconds)) problems.Add($"{at}.break_seconds: must lie in [0.5, {MaxSeconds}] (got {b.BreakSeconds})");
            if (b.PriceInputPerMillion is double pin && !(pin >= 0 && double.IsFinite(pin))) problems.Add($"{at}.price_input_per_million: must be a finite number >= 0 (got {pin})");
            if (b.PriceOutputPerMillion is double pout && !(pout >= 0 && double.IsFinite(pout))) problems.Add($"{at}.price_output_per_million: must be a finite number >= 0 (got {pout})");
            if (b.PriceInputPerMillion.HasValue != b.PriceOutputPerMillion.HasValue)
                problems.Add($"{at}: give both price_input_per_million and price_output_per_million, or neither");
        }
        if (config.Fallback is string fallback && !names.Contains(fallback))
            problems.Add($"fallback: '{fallback}' is not one of the backends ({string.Join(", ", names)})");
        if (artifact is not null && s.Alpha is not null && artifact.Costs is null)
            problems.Add("strategy.alpha: the router artifact has no cost data (calibrate with --prices)");
        if (artifact is not null && names.Count > 0 && !artifact.Manifest.Selected.Any(names.Contains))
            problems.Add($"backends: none serves a model the router selected ({string.Join(", ", artifact.Manifest.Selected)})");
        loaded = artifact;
        return problems;
    }
}
