using Avengers.Server.Configuration;

namespace Avengers.Server.Fleet;

/// <summary>The embedded default: the same limits, held by this process alone (with N replicas a key gets N times them).</summary>
internal sealed class InProcessKeyLimitStore(TimeProvider? time = null) : IKeyLimitStore
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
