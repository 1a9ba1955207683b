using System.Globalization;
using Avengers.Server.Configuration;

namespace Avengers.Server.Fleet;

/// <summary>Helpers shared by the stores.</summary>
internal static class KeyLimits
{
    /// <summary>The budget period a moment falls in: "2026-12-04" for a day, "2026-12" for a month (UTC).</summary>
    public static string PeriodOf(string period, DateTimeOffset at)
        => period == "month" ? at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture) : at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>When the budget period of <paramref name="at"/> ends.</summary>
    public static DateTimeOffset PeriodEnd(string period, DateTimeOffset at)
    {
        DateTime day = at.UtcDateTime.Date;
        return new DateTimeOffset(period == "month" ? new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1) : day.AddDays(1), TimeSpan.Zero);
    }

    internal static LimitCounters Counters(ApiKeyConfig limits, long requests, long tokens, TimeSpan requestsReset, TimeSpan tokensReset) => new(
        limits.RequestsPerMinute, limits.RequestsPerMinute is int rpm ? Math.Max(0, rpm - requests) : null, requestsReset,
        limits.TokensPerMinute, limits.TokensPerMinute is long tpm ? Math.Max(0, tpm - tokens) : null, tokensReset);
}
