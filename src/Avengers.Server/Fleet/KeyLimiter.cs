using System.Diagnostics.Metrics;
using StackExchange.Redis;

namespace Avengers.Server.Fleet;

/// <summary>
/// Enforces each key's limits through the store (Redis in fleet mode, this process otherwise) and decides what a
/// Redis failure means: with <c>redis_failure: open</c> (the default) requests pass unlimited, with a warning at most
/// once a minute and a counter; with <c>closed</c> a key with limits is refused until Redis is back. Readiness reports
/// the degraded state either way.
/// </summary>
internal sealed class KeyLimiter
{
    private readonly IKeyLimitStore _store;
    private readonly RedisFleet? _fleet;
    private readonly ILogger _logger;
    private readonly Counter<long>? _failures;
    private readonly TimeProvider _time;
    private long _lastWarning = long.MinValue;

    public KeyLimiter(IKeyLimitStore store, RedisFleet? fleet, ILogger logger, IMeterFactory? meters = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _store = store;
        _fleet = fleet;
        _logger = logger;
        _failures = meters?.Create(Gateway.GatewayMetrics.MeterName).CreateCounter<long>("avengers_gateway_limit_store_failures", description: "Limit checks or counts that failed because Redis could not be reached");
    }

    /// <summary>True when the last call to the store failed (readiness says degraded).</summary>
    public bool Degraded { get; private set; }

    /// <summary>The verdict for one more request of <paramref name="key"/>; a failed store follows redis_failure.</summary>
    /// <returns>The verdict, or null when the store failed and the mode is closed (the caller answers 503).</returns>
    public async Task<LimitVerdict?> AdmitAsync(GatewayKey key, CancellationToken cancellationToken)
    {
        if (key.Limits is not { Limited: true } limits) return new LimitVerdict(null, TimeSpan.Zero, LimitCounters.None);
        try
        {
            LimitVerdict verdict = await _store.AdmitAsync(key.Name, limits, cancellationToken).ConfigureAwait(false);
            if (!verdict.Leased) Degraded = false;
            return verdict;
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            Failed(ex);
            return _fleet?.FailClosed == true ? null : new LimitVerdict(null, TimeSpan.Zero, LimitCounters.None);
        }
    }

    /// <summary>Counts a finished request's tokens and cost; a failed store loses this count (logged), never the answer.</summary>
    public async Task RecordAsync(GatewayKey key, long tokens, double costUsd, CancellationToken cancellationToken)
    {
        // Only what a limit reads is counted: a key limited in requests alone costs no second call per request.
        if (key.Limits is not { Limited: true } limits || (tokens <= 0 && costUsd <= 0)) return;
        if (limits.TokensPerMinute is null && limits.BudgetUsd is null) return;
        try { await _store.RecordAsync(key.Name, limits, tokens, costUsd, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken)) { Failed(ex); }
    }

    /// <summary>Hands back what the store holds for this replica (leased permits in fleet mode): the replica is stopping.</summary>
    public Task ReleaseAsync() => _store.ReleaseAsync();

    private static bool IsStoreFailure(Exception ex, CancellationToken cancellationToken)
        => ex is RedisException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private void Failed(Exception ex)
    {
        Degraded = true;
        _failures?.Add(1);
        // One warning a minute at most (the metric counts every failure).
        long now = (long)(_time.GetTimestamp() * 1000.0 / _time.TimestampFrequency);
        long last = Interlocked.Read(ref _lastWarning);
        if (now - last >= 60_000 && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
            GatewayLog.LimitStoreFailed(_logger, Avengers.Ensemble.BackendFailures.Redact(ex.Message), _fleet?.FailClosed == true ? "refusing requests" : "not enforced");
    }
}
