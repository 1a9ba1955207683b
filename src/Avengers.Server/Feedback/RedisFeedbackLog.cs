using Avengers.Server.Fleet;
using StackExchange.Redis;

namespace Avengers.Server.Feedback;

/// <summary>Fleet mode: the log as a Redis list under the prefix (the most recent million ratings).</summary>
public sealed class RedisFeedbackLog(RedisFleet fleet) : IFeedbackLog
{
    public const string Key = "feedback:log";
    public const long MaxEntries = 1_000_000;

    async Task<IReadOnlyList<string>> IFeedbackLog.ReadAllAsync(CancellationToken cancellationToken)
        => [.. (await fleet.Connection.GetDatabase().ListRangeAsync(fleet.Key(Key)).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false)).Select(v => (string)v!)];

    /// <inheritdoc />
    public async Task AppendAsync(string line, CancellationToken cancellationToken)
    {
        IDatabase redis = fleet.Connection.GetDatabase();
        await redis.ListRightPushAsync(fleet.Key(Key), line).WaitAsync(fleet.Timeout, cancellationToken).ConfigureAwait(false);
        await redis.ListTrimAsync(fleet.Key(Key), -MaxEntries, -1).WaitAsync(fleet.Timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every logged line, oldest first (for <c>avengers feedback export</c>).</summary>
    public static async Task<IReadOnlyList<string>> ReadAllAsync(RedisFleet fleet)
        => [.. (await fleet.Connection.GetDatabase().ListRangeAsync(fleet.Key(Key)).ConfigureAwait(false)).Select(v => (string)v!)];
}
