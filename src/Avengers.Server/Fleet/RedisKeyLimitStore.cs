using System.Globalization;
using Avengers.Server.Configuration;
using StackExchange.Redis;

namespace Avengers.Server.Fleet;

/// <summary>
/// Fleet mode: the counters in Redis, checked and counted by one Lua script so that every replica sees the same
/// numbers (three replicas and a key of 10 requests a minute let exactly 10 through). Windows follow Redis's clock
/// (TIME), not the replicas'.
/// </summary>
internal sealed class RedisKeyLimitStore(RedisFleet fleet, TimeProvider? time = null) : IKeyLimitStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    // KEYS[1]: the key's counter prefix. ARGV: rpm, tpm, budget (-1: none), budget period key suffix.
    // Returns {refused (0 ok, 1 requests, 2 tokens, 3 budget), requests, tokens, window ms left}. Only the counters of the
    // limits the key has are read (a key limited in requests alone costs one GET and one INCR).
    private const string AdmitScript = """
        local t = redis.call('TIME')
        local minute = math.floor(tonumber(t[1]) / 60)
        local left = (60 - (tonumber(t[1]) % 60)) * 1000 - math.floor(tonumber(t[2]) / 1000)
        local rk = KEYS[1] .. 'rpm:' .. minute
        local rpm, tpm, budget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local requests = tonumber(redis.call('GET', rk) or '0')
        local tokens = 0
        if tpm >= 0 then tokens = tonumber(redis.call('GET', KEYS[1] .. 'tpm:' .. minute) or '0') end
        if budget >= 0 and tonumber(redis.call('GET', KEYS[1] .. 'usd:' .. ARGV[4]) or '0') >= budget then return {3, requests, tokens, left} end
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
        DateTimeOffset now = _time.GetUtcNow();
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
        DateTimeOffset now = _time.GetUtcNow();
        await fleet.Connection.GetDatabase().ScriptEvaluateAsync(RecordScript, [fleet.Key($"limit:{name}:")],
        [
            tokens, costUsd.ToString("R", CultureInfo.InvariantCulture), KeyLimits.PeriodOf(limits.BudgetPeriod, now),
            (long)(KeyLimits.PeriodEnd(limits.BudgetPeriod, now) - now).TotalSeconds,
        ]).WaitAsync(fleet.Timeout, cancellationToken).ConfigureAwait(false);
    }
}
