namespace Avengers.Ensemble;

/// <summary>
/// A member's call failed, classified by the host that knows the member's transport (the gateway classifies HTTP
/// statuses and its resilience strategies' failures into this): the ensemble reads <see cref="Refused"/> to decide
/// between falling back to the next model and giving up, and shows clients <see cref="Reason"/> only. The message
/// keeps the backend's own detail, for the log (redacted there).
/// </summary>
public sealed class BackendException(string reason, string detail, int? status = null, bool refused = false, Exception? inner = null)
    : AvengersException(detail, inner)
{
    /// <summary>What a client may learn: a status class ("HTTP 401 (authentication)", "connection failed", "timed out"), never the backend's text.</summary>
    public string Reason { get; } = reason;

    /// <summary>The backend's HTTP status, when it answered with one.</summary>
    public int? Status { get; } = status;

    /// <summary>
    /// The backend refused the request itself (400, 413, 422): another model would refuse it too, so the ensemble does
    /// not fall back. An authentication failure, a 404 (a misconfigured backend), a timeout or a rate limit is the
    /// backend's fault, and the next model is asked.
    /// </summary>
    public bool Refused { get; } = refused;
}
