using System.Buffers;
using Avengers.Server.Configuration;
using Avengers.Server.Fleet;
using Microsoft.Extensions.Caching.Distributed;

namespace Avengers.Tests.Server;

/// <summary>HybridCache's shared tier: one Redis string per entry, with the entry's lifetime as its TTL.</summary>
public sealed class RedisBlobCacheTests
{
    [Fact]
    public async Task An_entry_is_one_string_with_its_lifetime_read_back_whole_and_a_missing_one_is_no_hit()
    {
        await using RedisServer redis = await RedisServer.SharedOrStartAsync();
        using RedisFleet fleet = RedisFleet.Create(new GatewayConfig { Redis = redis.Configuration, RedisPrefix = $"t{Guid.NewGuid():N}:" }, _ => null)!;
        IBufferDistributedCache cache = new RedisBlobCache(fleet, "blob:");
        byte[] vector = [.. Enumerable.Range(0, 1536).Select(i => (byte)i)];

        await cache.SetAsync("emb:a", new ReadOnlySequence<byte>(vector), new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromDays(30) });

        StackExchange.Redis.IDatabase db = fleet.Connection.GetDatabase();
        Assert.Equal(StackExchange.Redis.RedisType.String, await db.KeyTypeAsync(fleet.Key("blob:emb:a")));
        TimeSpan? ttl = await db.KeyTimeToLiveAsync(fleet.Key("blob:emb:a"));
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromDays(30) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));

        var read = new ArrayBufferWriter<byte>();
        Assert.True(await cache.TryGetAsync("emb:a", read));
        Assert.Equal(vector, read.WrittenSpan.ToArray());
        Assert.Equal(vector, await cache.GetAsync("emb:a"));
        Assert.False(await cache.TryGetAsync("emb:b", new ArrayBufferWriter<byte>()));
        Assert.Null(await cache.GetAsync("emb:b"));

        await cache.RemoveAsync("emb:a");
        Assert.False(await cache.TryGetAsync("emb:a", new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public async Task An_entry_past_its_lifetime_is_gone()
    {
        await using RedisServer redis = await RedisServer.SharedOrStartAsync();
        using RedisFleet fleet = RedisFleet.Create(new GatewayConfig { Redis = redis.Configuration, RedisPrefix = $"t{Guid.NewGuid():N}:" }, _ => null)!;
        IDistributedCache cache = new RedisBlobCache(fleet, "blob:");

        await cache.SetAsync("short", [1, 2, 3], new DistributedCacheEntryOptions { AbsoluteExpiration = DateTimeOffset.UtcNow.AddMilliseconds(300) });
        Assert.Equal([1, 2, 3], await cache.GetAsync("short"));
        await Task.Delay(600);
        Assert.Null(await cache.GetAsync("short"));
    }
}
