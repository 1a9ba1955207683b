using System.Text.Json;
using Avengers.Server.Fleet;
using StackExchange.Redis;

namespace Avengers.Server.Feedback;

/// <summary>
/// Fleet mode: every applied rating as an entry of a Redis stream under the prefix (the most recent million), holding
/// its line (the benchmark record, as <c>feedback.log</c> keeps it) and its update (each model's outcome over the
/// clusters the answer was routed by). The stream is both the log and the way ratings reach the replicas: each replica
/// reads it from the last entry it applied, so a replica cut off from Redis for a while, or busy replaying when a
/// rating was given, applies what it missed once it reads again, and every replica applies every rating once, in the
/// same order.
/// </summary>
public sealed class RedisFeedbackLog(RedisFleet fleet)
{
    /// <summary>The stream's key under the prefix.</summary>
    public const string Key = "feedback:ratings";

    /// <summary>Where earlier versions kept the log (a list of lines): still read, before the stream.</summary>
    public const string LegacyListKey = "feedback:log";

    /// <summary>Entries kept (about: Redis trims whole blocks).</summary>
    public const int MaxEntries = 1_000_000;

    private const int Page = 10_000;
    private static readonly TimeSpan ReadBudget = TimeSpan.FromSeconds(5);

    /// <summary>Appends one rating; every replica applies it when it next reads the stream.</summary>
    internal Task AddAsync(string line, LiveUpdate update, CancellationToken cancellationToken)
        => fleet.Connection.GetDatabase().StreamAddAsync(fleet.Key(Key), [new NameValueEntry("line", line), new NameValueEntry("update", JsonSerializer.Serialize(update))],
            maxLength: MaxEntries, useApproximateMaxLength: true).WaitAsync(fleet.Timeout, cancellationToken);

    /// <summary>The entries after <paramref name="after"/> ("0": from the start), oldest first, at most <paramref name="count"/>.</summary>
    internal async Task<IReadOnlyList<(RedisValue Id, string? Line, LiveUpdate? Update)>> ReadAfterAsync(RedisValue after, int count, CancellationToken cancellationToken)
    {
        // A background read, not on any request's path: a busy machine must not make it give up as a request would.
        StreamEntry[] entries = await fleet.Connection.GetDatabase().StreamReadAsync(fleet.Key(Key), after, count).WaitAsync(ReadBudget, cancellationToken).ConfigureAwait(false);
        return [.. entries.Select(e => (e.Id, (string?)e["line"], Parse(e["update"])))];
    }

    /// <summary>
    /// Every logged line, oldest first (the legacy list's, then the stream's), and the id of the stream's last entry
    /// ("0" when it is empty): where a replica that replayed them goes on reading.
    /// </summary>
    internal async Task<(IReadOnlyList<string> Lines, RedisValue Last)> ReadAllAsync(CancellationToken cancellationToken)
    {
        IDatabase redis = fleet.Connection.GetDatabase();
        TimeSpan budget = ReadBudget * 6;
        var lines = new List<string>((await redis.ListRangeAsync(fleet.Key(LegacyListKey)).WaitAsync(budget, cancellationToken).ConfigureAwait(false)).Select(v => (string)v!));
        RedisValue last = "0";
        while (true)
        {
            StreamEntry[] entries = await redis.StreamReadAsync(fleet.Key(Key), last, Page).WaitAsync(budget, cancellationToken).ConfigureAwait(false);
            foreach (StreamEntry entry in entries) if ((string?)entry["line"] is { Length: > 0 } line) lines.Add(line);
            if (entries.Length == 0) return (lines, last);
            last = entries[^1].Id;
            if (entries.Length < Page) return (lines, last);
        }
    }

    /// <summary>Every logged line, oldest first (for <c>avengers feedback export</c>).</summary>
    public static async Task<IReadOnlyList<string>> ReadAllAsync(RedisFleet fleet) => (await new RedisFeedbackLog(fleet).ReadAllAsync(CancellationToken.None).ConfigureAwait(false)).Lines;

    private static LiveUpdate? Parse(RedisValue json)
    {
        if (json.IsNullOrEmpty) return null;
        try { return JsonSerializer.Deserialize<LiveUpdate>((string)json!); }
        catch (JsonException) { return null; }
    }
}
