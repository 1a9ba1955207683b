namespace Avengers.Server.Fleet;

/// <summary>The x-ratelimit-* headers as OpenAI sends them: limit, remaining and reset, for requests and for tokens.</summary>
internal static class LimitHeaders
{
    public static void Add(HttpResponse response, LimitCounters counters)
    {
        if (counters.RequestsLimit is long requests)
        {
            response.Headers["x-ratelimit-limit-requests"] = requests.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-remaining-requests"] = (counters.RequestsRemaining ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-reset-requests"] = Seconds(counters.RequestsReset);
        }
        if (counters.TokensLimit is long tokens)
        {
            response.Headers["x-ratelimit-limit-tokens"] = tokens.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-remaining-tokens"] = (counters.TokensRemaining ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-reset-tokens"] = Seconds(counters.TokensReset);
        }
    }

    /// <summary>OpenAI writes resets as durations such as "6s" or "1.5s".</summary>
    private static string Seconds(TimeSpan reset) => reset.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "s";
}
