using System.Globalization;
using Avengers.Server.Configuration;
using StackExchange.Redis;

namespace Avengers.Server.Fleet;

/// <summary>What a key's limits say about one more request.</summary>
/// <param name="Refused">null: admitted; else which limit refused it: requests, tokens or budget.</param>
/// <param name="RetryAfter">When the refusing limit's window (or budget period) ends.</param>
public sealed record LimitVerdict(string? Refused, TimeSpan RetryAfter, LimitCounters Counters);

/// <summary>The counters after the check, for the x-ratelimit-* headers (null where the key has no such limit).</summary>
public sealed record LimitCounters(long? RequestsLimit, long? RequestsRemaining, TimeSpan RequestsReset, long? TokensLimit, long? TokensRemaining, TimeSpan TokensReset)
{
    public static readonly LimitCounters None = new(null, null, TimeSpan.Zero, null, null, TimeSpan.Zero);
}

/// <summary>
/// Where per-key counters live: requests and tokens in fixed one-minute windows (on the store's clock), spend per UTC
/// day or month. Admission and counting are separate because tokens and spend are known only after the answer.
/// </summary>
public interface IKeyLimitStore
{
    /// <summary>Checks every limit of the key and, when all allow it, counts the request; one atomic step.</summary>
    Task<LimitVerdict> AdmitAsync(string name, ApiKeyConfig limits, CancellationToken cancellationToken);

    /// <summary>Adds what a finished request used: the tokens the backends reported and what they cost.</summary>
    Task RecordAsync(string name, ApiKeyConfig limits, long tokens, double costUsd, CancellationToken cancellationToken);
}

/// <summary>The embedded default: the same limits, held by this process alone (with N replicas a key gets N times them).</summary>
public sealed class InProcessKeyLimitStore(TimeProvider? time = null) : IKeyLimitStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Window, long Count)> _requests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Window, long Count)> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Period, double Spent)> _spend = new(StringComparer.Ordinal);

    public Task<LimitVerdict> AdmitAsync(string name, ApiKeyConfig limits, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        long minute = now.ToUnixTimeSeconds() / 60;
        TimeSpan reset = TimeSpan.FromSeconds(60 - now.ToUnixTimeSeconds() % 60);
        string period = KeyLimits.PeriodOf(limits.BudgetPeriod, now);
        lock (_gate)
        {
            long requests = _requests.TryGetValue(name, out var r) && r.Window == minute ? r.Count : 0;
            long tokens = _tokens.TryGetValue(name, out var t) && t.Window == minute ? t.Count : 0;
            double spent = _spend.TryGetValue(name, out var s) && s.Period == period ? s.Spent : 0;
            string? refused = limits.BudgetUsd is double budget && spent >= budget ? "budget"
                : limits.TokensPerMinute is long tpm && tokens >= tpm ? "tokens"
                : limits.RequestsPerMinute is int rpm && requests >= rpm ? "requests" : null;
            if (refused is null) _requests[name] = (minute, ++requests);
            TimeSpan retry = refused == "budget" ? KeyLimits.PeriodEnd(limits.BudgetPeriod, now) - now : reset;
            return Task.FromResult(new LimitVerdict(refused, retry, KeyLimits.Counters(limits, requests, tokens, reset, reset)));
        }
    }

    public Task RecordAsync(string name, ApiKeyConfig limits, long tokens, double costUsd, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        long minute = now.ToUnixTimeSeconds() / 60;
        string period = KeyLimits.PeriodOf(limits.BudgetPeriod, now);
        lock (_gate)
        {
            _tokens[name] = (minute, (_tokens.TryGetValue(name, out var t) && t.Window == minute ? t.Count : 0) + tokens);
            _spend[name] = (period, (_spend.TryGetValue(name, out var s) && s.Period == period ? s.Spent : 0) + costUsd);
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// Fleet mode: the counters in Redis, checked and counted by one Lua script so that every replica sees the same
/// numbers (three replicas and a key of 10 requests a minute let exactly 10 through). Windows follow Redis's clock
/// (TIME), not the replicas'.
/// </summary>
public sealed class RedisKeyLimitStore(RedisFleet fleet) : IKeyLimitStore
{
    // KEYS[1]: the key's counter prefix. ARGV: rpm, tpm, budget (-1: none), budget period key suffix, its seconds left.
    // Returns {refused (0 ok, 1 requests, 2 tokens, 3 budget), requests, tokens, window ms left}.
    private const string AdmitScript = """
        local t = redis.call('TIME')
        local minute = math.floor(tonumber(t[1]) / 60)
        local left = (60 - (tonumber(t[1]) % 60)) * 1000 - math.floor(tonumber(t[2]) / 1000)
        local rk = KEYS[1] .. 'rpm:' .. minute
        local tk = KEYS[1] .. 'tpm:' .. minute
        local bk = KEYS[1] .. 'usd:' .. ARGV[4]
        local requests = tonumber(redis.call('GET', rk) or '0')
        local tokens = tonumber(redis.call('GET', tk) or '0')
        local spent = tonumber(redis.call('GET', bk) or '0')
        local rpm, tpm, budget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        if budget >= 0 and spent >= budget then return {3, requests, tokens, left} end
        if tpm >= 0 and tokens >= tpm then return {2, requests, tokens, left} end
        if rpm >= 0 and requests >= rpm then return {1, requests, tokens, left} end
        requests = redis.call('INCR', rk)
        redis.call('PEXPIRE', rk, left + 1000)
        return {0, requests, tokens, left}
        """;

    // KEYS[1]: the key's counter prefix. ARGV: tokens, cost, budget period key suffix, its seconds left.
    private const string RecordScript = """
        local t = redis.call('TIME')
        local minute = math.floor(tonumber(t[1]) / 60)
        local tk = KEYS[1] .. 'tpm:' .. minute
        local bk = KEYS[1] .. 'usd:' .. ARGV[3]
        if tonumber(ARGV[1]) > 0 then
          redis.call('INCRBY', tk, ARGV[1])
          redis.call('EXPIRE', tk, 120)
        end
        if tonumber(ARGV[2]) > 0 then
          redis.call('INCRBYFLOAT', bk, ARGV[2])
          redis.call('EXPIRE', bk, tonumber(ARGV[4]) + 86400)
        end
        return 1
        """;

    public async Task<LimitVerdict> AdmitAsync(string name, ApiKeyConfig limits, CancellationToken cancellationToken)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        string period = KeyLimits.PeriodOf(limits.BudgetPeriod, now);
        RedisResult result = await fleet.Connection.GetDatabase().ScriptEvaluateAsync(AdmitScript, [fleet.Key($"limit:{name}:")],
        [
            limits.RequestsPerMinute ?? -1, limits.TokensPerMinute ?? -1,
            limits.BudgetUsd?.ToString("R", CultureInfo.InvariantCulture) ?? "-1", period,
        ]).WaitAsync(fleet.Timeout, cancellationToken).ConfigureAwait(false);
        var values = (RedisResult[])result!;
        int code = (int)values[0];
        long requests = (long)values[1], tokens = (long)values[2];
        TimeSpan reset = TimeSpan.FromMilliseconds(Math.Max(0, (long)values[3]));
        string? refused = code switch { 1 => "requests", 2 => "tokens", 3 => "budget", _ => null };
        TimeSpan retry = refused == "budget" ? KeyLimits.PeriodEnd(limits.BudgetPeriod, now) - now : reset;
        return new LimitVerdict(refused, retry, KeyLimits.Counters(limits, requests, tokens, reset, reset));
    }

    public async Task RecordAsync(string name, ApiKeyConfig limits, long tokens, double costUsd, CancellationToken cancellationToken)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        await fleet.Connection.GetDatabase().ScriptEvaluateAsync(RecordScript, [fleet.Key($"limit:{name}:")],
        [
            tokens, costUsd.ToString("R", CultureInfo.InvariantCulture), KeyLimits.PeriodOf(limits.BudgetPeriod, now),
            (long)(KeyLimits.PeriodEnd(limits.BudgetPeriod, now) - now).TotalSeconds,
        ]).WaitAsync(fleet.Timeout, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Helpers shared by the stores.</summary>
public static class KeyLimits
{
    /// <summary>The budget period a moment falls in: "2026-12-04" for a day, "2026-12" for a month (UTC).</summary>
    public static string PeriodOf(string period, DateTimeOffset at)
        => period == "month" ? at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture) : at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>When the budget period of <paramref name="at"/> ends.</summary>
    public static DateTimeOffset PeriodEnd(string period, DateTimeOffset at)
    {
        DateTime day = at.UtcDateTime.Date;
        return new DateTimeOffset(period == "month" ? new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1) : day.AddDays(1), TimeSpan.Zero);
    }

    internal static LimitCounters Counters(ApiKeyConfig limits, long requests, long tokens, TimeSpan requestsReset, TimeSpan tokensReset) => new(
        limits.RequestsPerMinute, limits.RequestsPerMinute is int rpm ? Math.Max(0, rpm - requests) : null, requestsReset,
        limits.TokensPerMinute, limits.TokensPerMinute is long tpm ? Math.Max(0, tpm - tokens) : null, tokensReset);
}
