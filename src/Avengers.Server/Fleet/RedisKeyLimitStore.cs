using System.Collections.Concurrent;
using System.Globalization;
using Avengers.Server.Configuration;
using StackExchange.Redis;

namespace Avengers.Server.Fleet;

/// <summary>
/// Fleet mode: the counters in Redis, checked and counted by one Lua script so that every replica sees the same
/// numbers (three replicas and a key of 10 requests a minute let exactly 10 through). Windows follow Redis's clock
/// (TIME), not the replicas'. A busy key far from its limits takes a few permits at once (<see cref="PermitLease"/>),
/// so most of its requests are admitted here without a round trip; near a limit every request asks Redis.
/// </summary>
internal sealed class RedisKeyLimitStore : IKeyLimitStore
{
    // KEYS[1]: the key's counter prefix. ARGV: rpm, tpm, budget (-1: none), budget period key suffix, permits wanted,
    // unused permits handed back, the window they were counted in.
    // Returns {refused (0 ok, 1 requests, 2 tokens, 3 budget), requests, tokens, window ms left, permits granted, window}.
    // Only the counters of the limits the key has are read (a key limited in requests alone: one GET and one INCRBY).
    // More than one permit only far from every limit (tokens and spend under half, at most a sixteenth of the requests
    // the window has left), so that a window's last permits go one by one to whichever replica asks.
    private const string AdmitScript = """
        local t = redis.call('TIME')
        local minute = math.floor(tonumber(t[1]) / 60)
        local left = (60 - (tonumber(t[1]) % 60)) * 1000 - math.floor(tonumber(t[2]) / 1000)
        local rk = KEYS[1] .. 'rpm:' .. minute
        local rpm, tpm, budget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local wanted, returned = tonumber(ARGV[5]), tonumber(ARGV[6])
        if returned > 0 and tonumber(ARGV[7]) == minute and redis.call('EXISTS', rk) == 1 then redis.call('DECRBY', rk, returned) end
        local requests = tonumber(redis.call('GET', rk) or '0')
        local tokens, spent = 0, 0
        if tpm >= 0 then tokens = tonumber(redis.call('GET', KEYS[1] .. 'tpm:' .. minute) or '0') end
        if budget >= 0 then spent = tonumber(redis.call('GET', KEYS[1] .. 'usd:' .. ARGV[4]) or '0') end
        if budget >= 0 and spent >= budget then return {3, requests, tokens, left, 0, minute} end
        if tpm >= 0 and tokens >= tpm then return {2, requests, tokens, left, 0, minute} end
        if rpm >= 0 and requests >= rpm then return {1, requests, tokens, left, 0, minute} end
        local n = 1
        if wanted > 1 and (tpm < 0 or tokens * 2 < tpm) and (budget < 0 or spent * 2 < budget) then
          n = wanted
          if rpm >= 0 then n = math.max(1, math.min(n, math.floor((rpm - requests) / 16))) end
        end
        requests = redis.call('INCRBY', rk, n)
        redis.call('PEXPIRE', rk, left + 1000)
        return {0, requests, tokens, left, n, minute}
        """;

    // KEYS[1]: the key's counter prefix. ARGV: tokens, cost, budget period key suffix, its seconds left.
    // Returns {tokens this minute, spend this period} (a lease ends when either comes near its limit).
    private const string RecordScript = """
        local t = redis.call('TIME')
        local minute = math.floor(tonumber(t[1]) / 60)
        local tk = KEYS[1] .. 'tpm:' .. minute
        local bk = KEYS[1] .. 'usd:' .. ARGV[3]
        local tokens, spent = 0, '0'
        if tonumber(ARGV[1]) > 0 then
          tokens = redis.call('INCRBY', tk, ARGV[1])
          redis.call('EXPIRE', tk, 120)
        end
        if tonumber(ARGV[2]) > 0 then
          spent = redis.call('INCRBYFLOAT', bk, ARGV[2])
          redis.call('EXPIRE', bk, tonumber(ARGV[4]) + 86400)
        end
        return {tokens, spent}
        """;

    // KEYS[1]: the window's request counter. ARGV: permits, the window they were counted in.
    private const string ReturnScript = """
        local t = redis.call('TIME')
        if tonumber(ARGV[2]) == math.floor(tonumber(t[1]) / 60) and redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECRBY', KEYS[1], ARGV[1]) end
        return 1
        """;

    private readonly RedisFleet _fleet;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, PermitLease> _leases = new(StringComparer.Ordinal);
    private readonly ITimer _sweep;
    private int _sweepArmed;

    private readonly int _leaseSize;

    /// <param name="fleet">The Redis connection.</param>
    /// <param name="time">The clock (leases' lifetimes; the windows follow Redis's).</param>
    /// <param name="leaseSize">Most permits a busy key takes per call (<c>redis_limit_lease</c>; 1: every request asks Redis).</param>
    public RedisKeyLimitStore(RedisFleet fleet, TimeProvider? time = null, int leaseSize = PermitLease.DefaultMaxSize)
    {
        _fleet = fleet;
        _leaseSize = leaseSize;
        _time = time ?? TimeProvider.System;
        _sweep = _time.CreateTimer(_ => Sweep(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Script calls made for admissions (a lease saves them); for tests and the benchmark.</summary>
    internal long AdmissionCalls => Interlocked.Read(ref _admissionCalls);
    private long _admissionCalls;

    public async Task<LimitVerdict> AdmitAsync(string name, ApiKeyConfig limits, CancellationToken cancellationToken)
    {
        PermitLease lease = _leases.GetOrAdd(name, static (_, store) => new PermitLease(store._time, store._leaseSize), this);
        if (lease.TryTake(out LeasedCounts held, out PermitLease.Ask refill))
        {
            if (refill.Refill) lease.Refilling = RefillAsync(name, limits, lease, refill);
            return FromLease(limits, held);
        }
        PermitLease.Ask ask = refill;
        DateTimeOffset now = _time.GetUtcNow();
        Answer answer;
        try { answer = await AskAsync(name, limits, ask, now, cancellationToken).ConfigureAwait(false); }
        catch
        {
            lease.Failed(ask);
            throw;
        }
        long seen = lease.Granted(ask, answer.Granted, answer.Minute, answer.Requests, answer.Tokens, answer.WindowLeft);
        if (answer.Granted > 1) ArmSweep();
        // Refused while a refill of this replica's lease was on its way or had just landed: the window's last permits
        // may be in it.
        if (answer.Code == 1)
        {
            if (lease.Refilling is { IsCompleted: false } pending) await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (lease.TryTake(out LeasedCounts late, out _)) return FromLease(limits, late);
        }
        string? refused = answer.Code switch { 1 => "requests", 2 => "tokens", 3 => "budget", _ => null };
        TimeSpan retry = refused == "budget" ? KeyLimits.PeriodEnd(limits.BudgetPeriod, now) - now : answer.WindowLeft;
        // The count as this replica sees it: the permits it holds are counted in Redis but not used yet.
        return new LimitVerdict(refused, retry, KeyLimits.Counters(limits, answer.Code == 0 ? seen : answer.Requests, answer.Tokens, answer.WindowLeft, answer.WindowLeft));
    }

    private static LimitVerdict FromLease(ApiKeyConfig limits, LeasedCounts counts)
        => new(null, TimeSpan.Zero, KeyLimits.Counters(limits, counts.Requests, counts.Tokens, counts.WindowLeft, counts.WindowLeft)) { Leased = true };

    /// <summary>Tops up a busy key's lease beside a request it admitted (not awaited by it); a failure leaves it to the next ask.</summary>
    private async Task RefillAsync(string name, ApiKeyConfig limits, PermitLease lease, PermitLease.Ask ask)
    {
        try
        {
            Answer answer = await AskAsync(name, limits, ask, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            lease.Granted(ask, answer.Code == 0 ? answer.Granted : 0, answer.Minute, answer.Requests, answer.Tokens, answer.WindowLeft);
            if (answer.Granted > 0) ArmSweep();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            lease.Failed(ask);
        }
    }

    /// <summary>The admission script's answer.</summary>
    private readonly record struct Answer(int Code, long Requests, long Tokens, TimeSpan WindowLeft, int Granted, long Minute);

    private async Task<Answer> AskAsync(string name, ApiKeyConfig limits, PermitLease.Ask ask, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _admissionCalls);
        RedisResult result = await _fleet.Connection.GetDatabase().ScriptEvaluateAsync(AdmitScript, [_fleet.Key($"limit:{name}:")],
        [
            limits.RequestsPerMinute ?? -1, limits.TokensPerMinute ?? -1,
            limits.BudgetUsd?.ToString("R", CultureInfo.InvariantCulture) ?? "-1", KeyLimits.PeriodOf(limits.BudgetPeriod, now),
            ask.Wanted, ask.Returned, ask.ReturnedMinute,
        ]).WaitAsync(_fleet.Timeout, cancellationToken).ConfigureAwait(false);
        var values = (RedisResult[])result!;
        return new Answer((int)values[0], (long)values[1], (long)values[2], TimeSpan.FromMilliseconds(Math.Max(0, (long)values[3])), (int)values[4], (long)values[5]);
    }

    public async Task RecordAsync(string name, ApiKeyConfig limits, long tokens, double costUsd, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        RedisResult result = await _fleet.Connection.GetDatabase().ScriptEvaluateAsync(RecordScript, [_fleet.Key($"limit:{name}:")],
        [
            tokens, costUsd.ToString("R", CultureInfo.InvariantCulture), KeyLimits.PeriodOf(limits.BudgetPeriod, now),
            (long)(KeyLimits.PeriodEnd(limits.BudgetPeriod, now) - now).TotalSeconds,
        ]).WaitAsync(_fleet.Timeout, cancellationToken).ConfigureAwait(false);
        var values = (RedisResult[])result!;
        long used = (long)values[0];
        double spent = double.Parse((string)values[1]!, CultureInfo.InvariantCulture);
        // Near a token limit or the budget, leased permits would admit what a check might refuse: ask Redis again.
        if ((limits.TokensPerMinute is long tpm && used * 2 >= tpm) || (limits.BudgetUsd is double budget && spent * 2 >= budget))
            if (_leases.TryGetValue(name, out PermitLease? lease)) lease.Expire();
    }

    /// <summary>Hands every unused leased permit back to its window (the replica is stopping), within the Redis timeout.</summary>
    public async Task ReleaseAsync()
    {
        var returns = new List<Task>();
        foreach ((string name, PermitLease lease) in _leases)
        {
            // A refill on its way lands first, so that its permits go back too.
            if (lease.Refilling is { IsCompleted: false } refilling)
                try { await refilling.WaitAsync(_fleet.Timeout).ConfigureAwait(false); } catch (TimeoutException) { }
            (int permits, long minute) = lease.TakeAll();
            if (permits > 0) returns.Add(HandBackAsync(name, permits, minute));
        }
        try { await Task.WhenAll(returns).WaitAsync(_fleet.Timeout).ConfigureAwait(false); }
        catch (Exception ex) when (ex is RedisException or TimeoutException) { } // the window ends within a minute anyway
    }

    private Task HandBackAsync(string name, int permits, long minute)
        => _fleet.Connection.GetDatabase().ScriptEvaluateAsync(ReturnScript, [_fleet.Key($"limit:{name}:rpm:{minute}")], [permits, minute]);

    private void ArmSweep()
    {
        if (Interlocked.CompareExchange(ref _sweepArmed, 1, 0) == 0)
            _sweep.Change(PermitLease.SweepEvery, Timeout.InfiniteTimeSpan);
    }

    // Hands unused permits back to their window once their lifetime has passed (so another replica can use them),
    // and looks again while any are held.
    private void Sweep()
    {
        Volatile.Write(ref _sweepArmed, 0);
        bool held = false;
        foreach ((string name, PermitLease lease) in _leases)
        {
            (int permits, long minute) = lease.TakeExpired();
            if (permits > 0)
                _ = HandBackAsync(name, permits, minute).WaitAsync(_fleet.Timeout).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            held |= lease.Holds;
        }
        if (held) ArmSweep();
    }
}
