namespace Avengers.Server.Feedback;

/// <summary>
/// The embedded default: the last <c>max_remembered</c> decisions in arrival order, each kept until its TTL passes or
/// a newer one takes its place (the oldest goes first).
/// </summary>
/// <remarks>
/// Every answer is remembered, so this sits on the hot path of every request. A general-purpose cache (a
/// MemoryCache entry per decision) allocated an entry, its options and a key per answer and, once full, sorted all its
/// entries to compact them while refusing new ones; a queue needs neither: decisions arrive in time order and all
/// expire after the same TTL, so the oldest is always the next to go.
/// </remarks>
internal sealed class InProcessDecisionMemory(TimeSpan ttl, int maxRemembered, TimeProvider? time = null) : IDecisionMemory
{
    private sealed class Entry(RememberedDecision decision, long expiresAt)
    {
        public RememberedDecision Decision { get; } = decision;
        public long ExpiresAt { get; } = expiresAt;
        public bool Rated { get; set; }
    }

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly int _capacity = Math.Max(1, maxRemembered);
    private readonly Dictionary<string, Entry> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _arrivals = new();
    private readonly Lock _lock = new();

    public Task RememberAsync(RememberedDecision decision, CancellationToken cancellationToken)
    {
        long now = _time.GetUtcNow().UtcTicks;
        var entry = new Entry(decision, now + ttl.Ticks);
        lock (_lock)
        {
            // The oldest go first: those past their TTL, then as many as the new one needs room for.
            while (_arrivals.TryPeek(out string? oldest) && (_arrivals.Count >= _capacity || !_byId.TryGetValue(oldest, out Entry? old) || old.ExpiresAt <= now))
            {
                _arrivals.Dequeue();
                _byId.Remove(oldest);
            }
            if (_byId.TryAdd(decision.Id, entry)) _arrivals.Enqueue(decision.Id);
            else _byId[decision.Id] = entry;
        }
        return Task.CompletedTask;
    }

    public Task<RememberedDecision?> FindAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult(Live(id)?.Decision);
    }

    public Task<bool> TryMarkRatedAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Live(id) is not { Rated: false } entry) return Task.FromResult(false);
            entry.Rated = true;
            return Task.FromResult(true);
        }
    }

    /// <summary>Number of decisions held (expired ones may still count until the next one arrives).</summary>
    internal int Count
    {
        get { lock (_lock) return _byId.Count; }
    }

    private Entry? Live(string id) => _byId.TryGetValue(id, out Entry? entry) && entry.ExpiresAt > _time.GetUtcNow().UtcTicks ? entry : null;
}
