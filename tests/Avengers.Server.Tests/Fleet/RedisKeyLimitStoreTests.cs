using Avengers.Server.Configuration;
using Avengers.Server.Fleet;

namespace Avengers.Tests.Server;

/// <summary>The Redis limit store alone: concurrent admissions of one key stay exact, each with its own count.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class RedisKeyLimitStoreTests
{
    /// <summary>A store over the run's Redis, under a prefix of its own, called inside one minute window.</summary>
    private static Task WithStoreAsync(Func<RedisKeyLimitStore, Task> test) => WithStoresAsync(1, (stores, _) => test(stores[0]));

    /// <summary>Several stores (replicas) over one Redis prefix, called inside one minute window (ten seconds at least), with a
    /// timeout that a busy test machine's pauses do not reach.</summary>
    private static async Task WithStoresAsync(int replicas, Func<RedisKeyLimitStore[], RedisFleet, Task> test)
    {
        await using RedisServer redis = await RedisServer.SharedOrStartAsync();
        string prefix = $"t{Guid.NewGuid():N}:";
        RedisFleet[] fleets = [.. Enumerable.Range(0, replicas).Select(_ => RedisFleet.Create(new GatewayConfig { Redis = redis.Configuration, RedisPrefix = prefix, RedisTimeoutMilliseconds = 5000 }, _ => null)!)];
        try
        {
            // All admissions must fall in one minute window (Redis's clock is this machine's).
            if (DateTime.UtcNow.Second > 48) await Task.Delay((61 - DateTime.UtcNow.Second) * 1000);
            await test([.. fleets.Select(f => new RedisKeyLimitStore(f))], fleets[0]);
        }
        finally
        {
            foreach (RedisFleet fleet in fleets) fleet.Dispose();
        }
    }

    /// <summary>
    /// Admits one request after another, as a steady client would, for <paramref name="duration"/> or until
    /// <paramref name="done"/> says so; returns how many were admitted. A leased permit completes at once, so each
    /// admission yields as a request would: the Redis client's continuations need a thread too.
    /// </summary>
    private static async Task<int> AdmitSteadilyAsync(RedisKeyLimitStore store, ApiKeyConfig limits, TimeSpan duration, Func<int, Task<bool>>? done = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int admitted = 0;
        while (clock.Elapsed < duration && (done is null || !await done(admitted)))
        {
            admitted += (await store.AdmitAsync(limits.Name!, limits, CancellationToken.None)).Refused is null ? 1 : 0;
            await Task.Yield();
        }
        return admitted;
    }

    [Fact]
    public Task A_busy_key_is_admitted_from_leased_permits_and_the_unused_ones_go_back() => WithStoresAsync(1, async (stores, fleet) =>
    {
        RedisKeyLimitStore store = stores[0];
        var limits = new ApiKeyConfig { Name = "busy", RequestsPerMinute = 1_000_000 };
        // Steady admissions for a while set the key's pace; then most admissions need no script call.
        int admitted = await AdmitSteadilyAsync(store, limits, TimeSpan.FromSeconds(0.6));
        long callsBefore = store.AdmissionCalls;
        LimitVerdict[] leased = new LimitVerdict[500];
        for (int i = 0; i < leased.Length; i++) { leased[i] = await store.AdmitAsync("busy", limits, CancellationToken.None); await Task.Yield(); }
        admitted += leased.Length;
        Assert.All(leased, v => Assert.Null(v.Refused));
        Assert.InRange(store.AdmissionCalls - callsBefore, 1, leased.Length / 10);
        // The counts a replica reports follow its own use, within what its lease holds (the others' use since it was counted
        // is not seen; a lease's permits are counted in Redis before they are used).
        for (int i = 0; i < leased.Length; i++)
            Assert.InRange(limits.RequestsPerMinute!.Value - leased[i].Counters.RequestsRemaining!.Value, admitted - leased.Length + i + 1 - 2 * PermitLease.DefaultMaxSize, admitted - leased.Length + i + 1 + 2 * PermitLease.DefaultMaxSize);
        // Redis counted the lease's permits ahead of use (a lease and its refill at most); once their lifetime is over,
        // the unused ones go back.
        StackExchange.Redis.IDatabase db = fleet.Connection.GetDatabase();
        long minute = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;
        Assert.InRange((long)await db.StringGetAsync(fleet.Key($"limit:busy:rpm:{minute}")), admitted, admitted + 2 * PermitLease.DefaultMaxSize);
        await Task.Delay(PermitLease.Lifetime + PermitLease.SweepEvery + TimeSpan.FromMilliseconds(500));
        Assert.Equal(admitted, (long)await db.StringGetAsync(fleet.Key($"limit:busy:rpm:{minute}")));
    });

    [Fact]
    public Task A_stopping_replica_hands_back_its_unused_permits_at_once() => WithStoresAsync(1, async (stores, fleet) =>
    {
        RedisKeyLimitStore store = stores[0];
        var limits = new ApiKeyConfig { Name = "leaving", RequestsPerMinute = 1_000_000 };
        StackExchange.Redis.IDatabase db = fleet.Connection.GetDatabase();
        long minute = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60;
        // Until a lease holds permits counted in Redis and not used.
        int admitted = await AdmitSteadilyAsync(store, limits, TimeSpan.FromSeconds(5),
            async count => count >= 100 && (long)await db.StringGetAsync(fleet.Key($"limit:leaving:rpm:{minute}")) > count);
        Assert.True((long)await db.StringGetAsync(fleet.Key($"limit:leaving:rpm:{minute}")) > admitted);

        await store.ReleaseAsync();

        Assert.Equal(admitted, (long)await db.StringGetAsync(fleet.Key($"limit:leaving:rpm:{minute}")));
    });

    [Fact]
    public Task With_leases_of_one_every_admission_asks_Redis() => WithStoresAsync(1, async (_, fleet) =>
    {
        var store = new RedisKeyLimitStore(fleet, leaseSize: 1);
        var limits = new ApiKeyConfig { Name = "strict", RequestsPerMinute = 1_000_000 };
        int admitted = await AdmitSteadilyAsync(store, limits, TimeSpan.FromSeconds(0.6));
        Assert.Equal(admitted, store.AdmissionCalls);
    });

    [Fact]
    public Task Three_replicas_holding_leases_grant_exactly_the_limit_between_them() => WithStoresAsync(3, async (stores, _) =>
    {
        var limits = new ApiKeyConfig { Name = "shared", RequestsPerMinute = 40_000 };
        // Each replica asks until it is refused; leases form once a replica's pace is known.
        int[] admitted = await Task.WhenAll(stores.Select(store => Task.Run(async () =>
        {
            int count = 0;
            // A leased permit completes at once: yield as a request would, so that three loops on two cores leave the
            // Redis client's continuations a thread.
            while ((await store.AdmitAsync("shared", limits, CancellationToken.None)).Refused is null) { count++; await Task.Yield(); }
            return count;
        })));

        Assert.Equal(40_000, admitted.Sum());
        Assert.True(stores.Sum(s => s.AdmissionCalls) < 40_000 / 2, $"{stores.Sum(s => s.AdmissionCalls)} script calls for 40,000 admissions");
    });

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
