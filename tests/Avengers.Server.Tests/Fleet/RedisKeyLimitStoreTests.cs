using Avengers.Server.Configuration;
using Avengers.Server.Fleet;

namespace Avengers.Tests.Server;

/// <summary>The Redis limit store alone: concurrent admissions of one key stay exact, each with its own count.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class RedisKeyLimitStoreTests
{
    /// <summary>A store over the run's Redis, under a prefix of its own, called inside one minute window.</summary>
    private static async Task WithStoreAsync(Func<RedisKeyLimitStore, Task> test)
    {
        await using RedisServer redis = await RedisServer.SharedOrStartAsync();
        using RedisFleet fleet = RedisFleet.Create(new GatewayConfig { Redis = redis.Configuration, RedisPrefix = $"t{Guid.NewGuid():N}:" }, _ => null)!;
        // All admissions must fall in one minute window (Redis's clock is this machine's).
        if (DateTime.UtcNow.Second > 50) await Task.Delay((61 - DateTime.UtcNow.Second) * 1000);
        await test(new RedisKeyLimitStore(fleet));
    }

    [Fact]
    public Task Concurrent_admissions_of_one_key_grant_exactly_the_limit_each_with_its_own_count() => WithStoreAsync(async store =>
    {
        var limits = new ApiKeyConfig { Name = "team-a", RequestsPerMinute = 25 };

        LimitVerdict[] verdicts = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => Task.Run(() => store.AdmitAsync("team-a", limits, CancellationToken.None))));

        LimitVerdict[] admitted = [.. verdicts.Where(v => v.Refused is null)];
        Assert.Equal(25, admitted.Length);
        // Each admitted request saw the count its own admission made: 24, 23, ... 0 remaining, every value once.
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long?)i), admitted.Select(v => v.Counters.RequestsRemaining).Order());
        Assert.All(verdicts.Where(v => v.Refused is not null), v =>
        {
            Assert.Equal("requests", v.Refused);
            Assert.Equal(0, v.Counters.RequestsRemaining);
            Assert.InRange(v.RetryAfter, TimeSpan.Zero, TimeSpan.FromSeconds(60));
        });
        // The next one, alone, is refused too: the window's count is the limit, not more.
        Assert.Equal("requests", (await store.AdmitAsync("team-a", limits, CancellationToken.None)).Refused);
    });

    [Fact]
    public Task A_spent_budget_refuses_every_concurrent_admission_and_other_keys_are_apart() => WithStoreAsync(async store =>
    {
        var budget = new ApiKeyConfig { Name = "team-b", BudgetUsd = 1 };
        var free = new ApiKeyConfig { Name = "team-c", RequestsPerMinute = 1000 };
        await store.RecordAsync("team-b", budget, 10, 1.5, CancellationToken.None);

        LimitVerdict[] verdicts = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            i % 2 == 0 ? store.AdmitAsync("team-b", budget, CancellationToken.None) : store.AdmitAsync("team-c", free, CancellationToken.None))));

        Assert.All(verdicts.Where((_, i) => i % 2 == 0), v => Assert.Equal("budget", v.Refused));
        Assert.All(verdicts.Where((_, i) => i % 2 == 0), v => Assert.True(v.RetryAfter > TimeSpan.Zero));
        Assert.All(verdicts.Where((_, i) => i % 2 == 1), v => Assert.Null(v.Refused));
        Assert.Equal(Enumerable.Range(980, 20).Select(i => (long?)i), verdicts.Where((_, i) => i % 2 == 1).Select(v => v.Counters.RequestsRemaining).Order());
    });
}
