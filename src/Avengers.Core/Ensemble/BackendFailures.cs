using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Avengers.Ensemble;

/// <summary>
/// What a client may learn about a backend failure, and what only the log may. Clients get a status class
/// ("HTTP 401 (authentication)", "connection failed", "timed out"); the backend's own text, which can echo
/// its key or name internal addresses, goes to the log with secrets redacted.
/// </summary>
public static partial class BackendFailures
{
    /// <summary>A short, safe description of <paramref name="error"/>: never the backend's text, never an address.</summary>
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (StatusOf(error) is int s) return $"HTTP {s} ({ClassOf(s)})";
        if (error is BackendBusyException) return "at capacity";
        if (error is CallBudgetExhaustedException) return error.Message;
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case TimeoutException or TaskCanceledException: return "timed out";
                case SocketException or HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }: return "connection failed";
                case HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }: return "the connection closed before the response ended";
                case HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse }: return "invalid response";
                case System.Text.Json.JsonException or FormatException or InvalidDataException: return "malformed or empty response";
            }
            string name = e.GetType().Name;
            if (name.Contains("BrokenCircuit", StringComparison.Ordinal) || name.Contains("IsolatedCircuit", StringComparison.Ordinal)) return "circuit open (too many recent failures)";
            if (name.Contains("Timeout", StringComparison.Ordinal)) return "timed out";
            if (name.Contains("RateLimiter", StringComparison.Ordinal) || name.Contains("Busy", StringComparison.Ordinal)) return "busy";
        }
        return "failed";
    }

    private static string ClassOf(int status) => status switch
    {
        400 => "bad request",
        401 or 403 => "authentication",
        404 => "not found",
        408 => "timeout",
        413 => "request too large",
        422 => "unprocessable request",
        429 => "rate limited",
        >= 500 and < 600 => "server error",
        _ => "error",
    };

    /// <summary>The HTTP status the backend answered with, when the failure carries one.</summary>
    public static int? StatusOf(Exception error) => error switch
    {
        ClientResultException client when client.Status > 0 => client.Status,
        HttpRequestException { StatusCode: HttpStatusCode code } => (int)code,
        _ => null,
    };

    /// <summary>
    /// True when the backend refused the request itself (400, 413, 422): another model would refuse it too, so
    /// it is not a backend fault to fall back from. Authentication failures (401, 403), a 404 (the backend does not
    /// serve the configured model, or the base URL is wrong: that backend is misconfigured), timeouts and rate limits are.
    /// </summary>
    public static bool IsClientError(Exception error) => StatusOf(error) is 400 or 413 or 422;

    /// <summary>Secrets shorter than this are not registered: a dummy key such as "EMPTY" would blank ordinary words.</summary>
    public const int MinimumSecretLength = 8;
    private static readonly Lock SecretsLock = new();
    private static string[] s_secrets = [];

    /// <summary>
    /// Adds configured secret values (backend keys, the gateway's client keys, a Redis password) to what
    /// <see cref="Redact"/> removes wherever they appear, whatever their shape: a backend's 401 body may echo its key.
    /// Process-wide, as the configuration that holds them is.
    /// </summary>
    public static void RegisterSecrets(IEnumerable<string?> values)
    {
        lock (SecretsLock)
        {
            // Longest first, so that a key containing another is removed whole.
            s_secrets = [.. s_secrets.Concat(values.OfType<string>().Where(v => v.Length >= MinimumSecretLength)).Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length)];
        }
    }

    /// <summary>The text with every registered secret, and anything that looks like a key or a bearer token, replaced by "[redacted]".</summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        foreach (string secret in Volatile.Read(ref s_secrets)) text = text.Replace(secret, "[redacted]", StringComparison.Ordinal);
        string redacted = Bearer().Replace(text, "${scheme}[redacted]");
        redacted = KeyAssignment().Replace(redacted, "${name}[redacted]");
        redacted = KnownKeyPrefix().Replace(redacted, "[redacted]");
        return LongToken().Replace(redacted, "[redacted]");
    }

    [GeneratedRegex(@"(?<scheme>\b(?:Bearer|Basic|Token)\s+)[^\s""',;]+", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Bearer();

    [GeneratedRegex(@"(?<name>\b(?:api[_-]?key|apikey|access[_-]?token|secret|password|authorization)[""']?\s*[:=]\s*[""']?)[^\s""',;}]+", RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex KeyAssignment();

    // OpenAI, Anthropic, Hugging Face, GitHub, Google and similar key shapes.
    [GeneratedRegex(@"\b(?:sk|pk|rk|hf|ghp|gho|xox[abp]|AIza)[-_][A-Za-z0-9_\-]{6,}|\bAIza[A-Za-z0-9_\-]{20,}", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex KnownKeyPrefix();

    // Any long run of key-like characters (hex, base64url) is more likely a secret than text.
    [GeneratedRegex(@"\b[A-Za-z0-9_\-+/]{32,}={0,2}", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LongToken();
}
