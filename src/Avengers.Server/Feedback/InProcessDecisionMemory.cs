using Microsoft.Extensions.Caching.Memory;

namespace Avengers.Server.Feedback;

/// <summary>The embedded default: a size-bounded memory cache whose entries expire after the TTL.</summary>
internal sealed class InProcessDecisionMemory(TimeSpan ttl, int maxRemembered) : IDecisionMemory, IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, maxRemembered) * 2L });

    public Task RememberAsync(RememberedDecision decision, CancellationToken cancellationToken)
    {
        _cache.Set("d:" + decision.Id, decision, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = ttl });
        return Task.CompletedTask;
    }

    public Task<RememberedDecision?> FindAsync(string id, CancellationToken cancellationToken)
        => Task.FromResult(_cache.TryGetValue("d:" + id, out RememberedDecision? decision) ? decision : null);

    public Task<bool> TryMarkRatedAsync(string id, CancellationToken cancellationToken)
    {
        lock (_cache)
        {
            if (_cache.TryGetValue("r:" + id, out _)) return Task.FromResult(false);
            _cache.Set("r:" + id, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = ttl });
            return Task.FromResult(true);
        }
    }

    public void Dispose() => _cache.Dispose();
}
