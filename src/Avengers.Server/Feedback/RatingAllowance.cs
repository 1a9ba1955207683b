using System.Collections.Concurrent;
using Avengers.Server.Fleet;
using StackExchange.Redis;

namespace Avengers.Server.Feedback;

/// <summary>
/// The per-key cap on ratings (<c>feedback.max_ratings_per_key_per_hour</c>; off by default): how much live evidence one
/// key can add in a clock hour, for deployments whose raters are not all trusted. Counted exactly: a rating takes one
/// from the key's allowance before it is applied and gives it back if it is not (unknown id, rated already). In fleet
/// mode the count lives in Redis, so the cap holds across replicas; without Redis, per process.
/// </summary>
internal sealed class RatingAllowance(int? perHour, RedisFleet? fleet, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, int> _local = new(StringComparer.Ordinal);
    private long _localHour = -1;

    /// <summary>Takes one rating from the key's allowance; when it is spent, false with the time until the next hour.</summary>
    public async Task<(bool Taken, TimeSpan RetryAfter)> TryTakeAsync(string key, CancellationToken cancellationToken)
    {
        if (perHour is not int max) return (true, TimeSpan.Zero);
        (string slot, TimeSpan untilNextHour) = Slot(key);
        long used;
        if (fleet is not null)
        {
            try
            {
                IDatabase db = fleet.Connection.GetDatabase();
                used = await db.StringIncrementAsync(slot).WaitAsync(fleet.Timeout, cancellationToken).ConfigureAwait(false);
                if (used == 1) await db.KeyExpireAsync(slot, TimeSpan.FromHours(2)).WaitAsync(fleet.Timeout, cancellationToken).ConfigureAwait(false);
                if (used > max) await db.StringDecrementAsync(slot).WaitAsync(fleet.Timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Redis unreachable: the cap follows redis_failure, as the key limits do (open: not enforced; closed: refused).
                return fleet.FailClosed ? (false, TimeSpan.FromSeconds(5)) : (true, TimeSpan.Zero);
            }
        }
        else
        {
            // A new hour: the counts of the hours before it are spent, once.
            long hour = _time.GetUtcNow().ToUnixTimeSeconds() / 3600;
            if (Interlocked.Exchange(ref _localHour, hour) != hour)
                foreach (string old in _local.Keys) if (!old.EndsWith(slot[slot.LastIndexOf(':')..], StringComparison.Ordinal)) _local.TryRemove(old, out _);
            used = _local.AddOrUpdate(slot, 1, (_, n) => n + 1);
            if (used > max) _local.AddOrUpdate(slot, 0, (_, n) => n - 1);
        }
        return used <= max ? (true, TimeSpan.Zero) : (false, untilNextHour);
    }

    /// <summary>Gives back a rating taken for one that was not applied.</summary>
    public async Task ReturnAsync(string key, CancellationToken cancellationToken)
    {
        if (perHour is null) return;
        (string slot, _) = Slot(key);
        if (fleet is not null)
        {
            try { await fleet.Connection.GetDatabase().StringDecrementAsync(slot).WaitAsync(fleet.Timeout, cancellationToken).ConfigureAwait(false); }
            catch (Exception ex) when (ex is RedisException or TimeoutException) { } // one rating of allowance lost until the hour ends
        }
        else _local.AddOrUpdate(slot, 0, (_, n) => Math.Max(0, n - 1));
    }

    private (string Slot, TimeSpan UntilNextHour) Slot(string key)
    {
        DateTimeOffset now = _time.GetUtcNow();
        long hour = now.ToUnixTimeSeconds() / 3600;
        TimeSpan untilNext = DateTimeOffset.FromUnixTimeSeconds((hour + 1) * 3600) - now;
        return ((fleet?.Prefix ?? "") + "feedback:cap:" + key + ":" + hour, untilNext);
    }
}
