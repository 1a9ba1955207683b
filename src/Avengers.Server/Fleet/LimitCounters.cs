namespace Avengers.Server.Fleet;

/// <summary>The counters after the check, for the x-ratelimit-* headers (null where the key has no such limit).</summary>
internal sealed record LimitCounters(long? RequestsLimit, long? RequestsRemaining, TimeSpan RequestsReset, long? TokensLimit, long? TokensRemaining, TimeSpan TokensReset)
{
    public static readonly LimitCounters None = new(null, null, TimeSpan.Zero, null, null, TimeSpan.Zero);
}
