using System.Buffers;
using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace Avengers.Server.Fleet;

/// <summary>
/// HybridCache's shared tier: each entry one Redis string with its time to live, read with one GET and written with one
/// SET. Microsoft.Extensions.Caching.StackExchangeRedis keeps an entry as a hash (data and expiry fields) and reads it
/// with two commands (HMGET for the expiry fields, HGET for the data) and writes it with two (HSET, EXPIRE), for the
/// sliding expiration it supports; this cache has one absolute lifetime per entry, and the fleet benchmark showed the
/// second command per shared read as gateway CPU on a saturated machine (docs/benchmarks.md). Sliding expiration is
/// not supported (an entry given one lives that long from its write).
/// </summary>
internal sealed class RedisBlobCache(RedisFleet fleet, string prefix) : IBufferDistributedCache
{
    private IDatabase Database => fleet.Connection.GetDatabase();

    private RedisKey KeyOf(string key) => fleet.Key(prefix + key);

    private static Expiration LifetimeOf(DistributedCacheEntryOptions options)
    {
        if (options.AbsoluteExpirationRelativeToNow is TimeSpan relative) return relative;
        if (options.AbsoluteExpiration is DateTimeOffset at) return at.UtcDateTime;
        return options.SlidingExpiration is TimeSpan sliding ? sliding : Expiration.Default;
    }

    public byte[]? Get(string key) => Database.StringGet(KeyOf(key));

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
        => await Database.StringGetAsync(KeyOf(key)).WaitAsync(token).ConfigureAwait(false);

    public bool TryGet(string key, IBufferWriter<byte> destination)
    {
        using Lease<byte>? data = Database.StringGetLease(KeyOf(key));
        if (data is null) return false;
        destination.Write(data.Span);
        return true;
    }

    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        using Lease<byte>? data = await Database.StringGetLeaseAsync(KeyOf(key)).WaitAsync(token).ConfigureAwait(false);
        if (data is null) return false;
        destination.Write(data.Span);
        return true;
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
        => Database.StringSet(KeyOf(key), value, LifetimeOf(options));

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        => Database.StringSetAsync(KeyOf(key), value, LifetimeOf(options)).WaitAsync(token);

    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options)
        => Database.StringSet(KeyOf(key), value.ToArray(), LifetimeOf(options));

    public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        // A vector is one segment: no copy then.
        ReadOnlyMemory<byte> bytes = value.IsSingleSegment ? value.First : value.ToArray();
        await Database.StringSetAsync(KeyOf(key), bytes, LifetimeOf(options)).WaitAsync(token).ConfigureAwait(false);
    }

    // One absolute lifetime per entry: nothing to refresh.
    public void Refresh(string key) { }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key) => Database.KeyDelete(KeyOf(key));

    public Task RemoveAsync(string key, CancellationToken token = default) => Database.KeyDeleteAsync(KeyOf(key)).WaitAsync(token);
}
