using System.Text.RegularExpressions;

namespace Avengers.Ensemble;

/// <summary>
/// What a client may learn about a backend failure, and what only the log may. Clients get a status class; the
/// backend's own text, which can echo its key or name internal addresses, goes to the log with secrets redacted. The
/// transport's failures (HTTP statuses, connection errors, the resilience strategies' rejections) are classified by the
/// host that owns the transport into a <see cref="BackendException"/> (the gateway's members throw nothing else); what
/// is read here is that, and the failures every member may have (at capacity, the call budget, a timeout, a malformed
/// response).
/// </summary>
public static partial class BackendFailures
{
    /// <summary>A short, safe description of <paramref name="error"/>: never the backend's text, never an address.</summary>
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case BackendException classified: return classified.Reason;
                case BackendBusyException: return "at capacity";
                case CallBudgetExhaustedException: return e.Message;
                case TimeoutException or TaskCanceledException: return "timed out";
                case System.Text.Json.JsonException or FormatException or InvalidDataException: return "malformed or empty response";
            }
        }
        return "failed";
    }

    /// <summary>The HTTP status the backend answered with, when the host classified one.</summary>
    public static int? StatusOf(Exception error) => (error as BackendException)?.Status;

    /// <summary>True when the backend refused the request itself (<see cref="BackendException.Refused"/>): the next model would refuse it too.</summary>
    public static bool IsClientError(Exception error) => error is BackendException { Refused: true };

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
