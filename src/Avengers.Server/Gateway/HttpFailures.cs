using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using Avengers.Ensemble;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Avengers.Server.Gateway;

/// <summary>
/// The gateway's reading of its transport's failures: HTTP statuses (from the OpenAI client or a raw request),
/// connection errors, and the Polly strategies' rejections, each as a <see cref="BackendException"/> with a status
/// class a client may see. The core's ensemble decides on these (fall back, or give up on a refused request) without
/// knowing HTTP.
/// </summary>
internal static class HttpFailures
{
    /// <summary>The failure as a <see cref="BackendException"/>, or null when it is no transport failure (a cancellation, a malformed body, one already classified).</summary>
    public static BackendException? Classify(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is BackendException or OperationCanceledException) return null;
        if (StatusOf(error) is int status)
            return new BackendException($"HTTP {status} ({ClassOf(status)})", error.Message, status, refused: status is 400 or 413 or 422, error);
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            string? reason = e switch
            {
                BrokenCircuitException => "circuit open (too many recent failures)",
                TimeoutRejectedException => "timed out",
                RateLimiterRejectedException => "busy",
                SocketException or HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => "connection failed",
                HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => "the connection closed before the response ended",
                HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse } => "invalid response",
                _ => null,
            };
            if (reason is not null) return new BackendException(reason, error.Message, null, refused: false, error);
        }
        // An HTTP failure without a more specific cause inside it.
        return error is HttpRequestException ? new BackendException("request failed", error.Message, null, refused: false, error) : null;
    }

    /// <summary>A safe description of any failure: the transport's class, else the core's (<see cref="BackendFailures.Describe"/>).</summary>
    public static string Describe(Exception error) => Classify(error)?.Reason ?? BackendFailures.Describe(error);

    /// <summary>The status the backend answered with, from the OpenAI client's or a raw request's failure, or a classified one.</summary>
    public static int? StatusOf(Exception error) => error switch
    {
        BackendException classified => classified.Status,
        ClientResultException client when client.Status > 0 => client.Status,
        HttpRequestException { StatusCode: HttpStatusCode code } => (int)code,
        _ => null,
    };

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
}
