using Avengers.Server.Fleet;

namespace Avengers.Tests.Server;

/// <summary>The permits a replica holds for a busy key: how many it asks for, how they are used and handed back.</summary>
public sealed class PermitLeaseTests
{
    /// <summary>A clock whose timestamps the test moves (ticks of 100 ns).</summary>
    private sealed class SteppedClock : TimeProvider
    {
        public long Ticks { get; set; } = 1_000_000_000;
        public override long GetTimestamp() => Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public void Advance(TimeSpan by) => Ticks += by.Ticks;
    }

    private static readonly TimeSpan Quarter = PermitLease.Lifetime / 4;

    [Fact]
    public void A_quiet_key_asks_for_one_permit_at_a_time_and_a_busy_one_for_its_pace()
    {
        var clock = new SteppedClock();
        var lease = new PermitLease(clock);
        Assert.False(lease.TryTake(out _, out PermitLease.Ask first));
        Assert.Equal(1, first.Wanted);
        lease.Granted(first, 1, 100, 1, 0, TimeSpan.FromSeconds(30));

        // 5 admissions in a quarter of the lifetime: 20 in a lifetime.
        for (int i = 0; i < 4; i++) { Assert.False(lease.TryTake(out _, out PermitLease.Ask one)); Assert.Equal(1, one.Wanted); }
        clock.Advance(Quarter);
        Assert.False(lease.TryTake(out _, out PermitLease.Ask paced));
        Assert.Equal(20, paced.Wanted);
        lease.Granted(paced, 1, 100, 7, 0, TimeSpan.FromSeconds(30)); // the script granted one only (near the limit)

        // 100 in the next quarter: capped at the largest lease.
        for (int i = 0; i < 99; i++) if (!lease.TryTake(out _, out PermitLease.Ask one)) lease.Granted(one, 1, 100, 8 + i, 0, TimeSpan.FromSeconds(30));
        clock.Advance(Quarter);
        Assert.False(lease.TryTake(out _, out PermitLease.Ask busy));
        Assert.Equal(PermitLease.DefaultMaxSize, busy.Wanted);

        // A quiet quarter and more: back to one.
        clock.Advance(3 * Quarter);
        lease.Granted(busy, 1, 100, 200, 0, TimeSpan.FromSeconds(30));
        Assert.False(lease.TryTake(out _, out PermitLease.Ask quiet));
        Assert.Equal(1, quiet.Wanted);
    }

    [Fact]
    public void Granted_permits_admit_with_rising_counts_then_the_next_request_asks_again()
    {
        var clock = new SteppedClock();
        var lease = new PermitLease(clock);
        var ask = new PermitLease.Ask(10, 0, 0);
        lease.Granted(ask, 10, 100, 50, 7, TimeSpan.FromSeconds(30)); // the asking request is the 41st, 9 permits left

        long[] seen = new long[9];
        for (int i = 0; i < 9; i++)
        {
            Assert.True(lease.TryTake(out LeasedCounts counts, out _));
            seen[i] = counts.Requests;
            Assert.Equal(7, counts.Tokens);
            Assert.Equal(TimeSpan.FromSeconds(30), counts.WindowLeft);
        }
        Assert.Equal(Enumerable.Range(42, 9).Select(i => (long)i), seen);
        Assert.False(lease.TryTake(out _, out PermitLease.Ask next));
        Assert.Equal(0, next.Returned);
        Assert.False(lease.Holds);
    }

    [Fact]
    public void Unused_permits_past_their_lifetime_go_back_with_the_next_ask_or_the_sweep()
    {
        var clock = new SteppedClock();
        var lease = new PermitLease(clock);
        lease.Granted(new PermitLease.Ask(10, 0, 0), 10, 100, 10, 0, TimeSpan.FromSeconds(30));
        Assert.True(lease.TryTake(out _, out _));
        Assert.Equal((0, 0L), lease.TakeExpired()); // still within the lifetime

        clock.Advance(PermitLease.Lifetime);
        Assert.False(lease.TryTake(out _, out PermitLease.Ask ask));
        Assert.Equal((8, 100L), (ask.Returned, ask.ReturnedMinute));
        Assert.False(lease.Holds);

        lease.Granted(new PermitLease.Ask(10, 0, 0), 10, 101, 10, 0, TimeSpan.FromSeconds(30));
        clock.Advance(PermitLease.Lifetime);
        Assert.Equal((9, 101L), lease.TakeExpired());
        Assert.Equal((0, 0L), lease.TakeExpired());
    }

    [Fact]
    public void A_lease_ends_with_its_window_and_when_told_to()
    {
        var clock = new SteppedClock();
        var lease = new PermitLease(clock);
        lease.Granted(new PermitLease.Ask(10, 0, 0), 10, 100, 10, 0, TimeSpan.FromMilliseconds(200)); // the window ends first
        Assert.True(lease.TryTake(out _, out _));
        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.False(lease.TryTake(out _, out PermitLease.Ask ask));
        Assert.Equal(8, ask.Returned);

        lease.Granted(new PermitLease.Ask(10, 0, 0), 10, 101, 10, 0, TimeSpan.FromSeconds(30));
        lease.Expire(); // tokens or spend came near a limit
        Assert.False(lease.TryTake(out _, out PermitLease.Ask again));
        Assert.Equal(9, again.Returned);
    }

    [Fact]
    public void While_one_lease_is_asked_for_other_requests_ask_for_one_permit()
    {
        var clock = new SteppedClock();
        var lease = new PermitLease(clock);
        for (int i = 0; i < 10; i++) lease.TryTake(out _, out _);
        clock.Advance(Quarter);
        Assert.False(lease.TryTake(out _, out PermitLease.Ask renewing));
        Assert.Equal(40, renewing.Wanted);
        Assert.False(lease.TryTake(out _, out PermitLease.Ask meanwhile));
        Assert.Equal(1, meanwhile.Wanted);
        lease.Failed(renewing); // Redis did not answer: the next one may ask for a lease again
        Assert.False(lease.TryTake(out _, out PermitLease.Ask after));
        Assert.True(after.Wanted > 1);
    }

    [Fact]
    public void A_busy_lease_asks_for_a_refill_at_a_quarter_left_once_and_keeps_all_of_it()
    {
        var clock = new SteppedClock();
        var lease = new PermitLease(clock);
        for (int i = 0; i < 16; i++) lease.TryTake(out _, out _);
        clock.Advance(Quarter);
        Assert.False(lease.TryTake(out _, out PermitLease.Ask ask));
        Assert.Equal(PermitLease.DefaultMaxSize, ask.Wanted);
        lease.Granted(ask, PermitLease.DefaultMaxSize, 100, 64, 0, TimeSpan.FromSeconds(30)); // 63 held

        int taken = 0;
        PermitLease.Ask refill = default;
        while (!refill.Refill) { Assert.True(lease.TryTake(out _, out refill)); taken++; }
        Assert.Equal(63 - PermitLease.DefaultMaxSize / 4, taken); // 16 left
        Assert.Equal(0, refill.Returned);
        Assert.True(lease.TryTake(out _, out PermitLease.Ask none));
        Assert.False(none.Refill); // one refill at a time

        lease.Granted(refill, 64, 100, 128, 0, TimeSpan.FromSeconds(30)); // every permit goes to the lease: 15 + 64
        Assert.True(lease.TryTake(out LeasedCounts counts, out _));
        Assert.Equal(128 - 78, counts.Requests);
        int left = 0;
        while (lease.TryTake(out _, out PermitLease.Ask again)) { left++; if (again.Refill) lease.Granted(again, 0, 100, 128, 0, TimeSpan.FromSeconds(30)); }
        Assert.Equal(78, left);
    }
}
