namespace Avengers.Ensemble;

/// <summary>The ensemble could not produce an answer (every backend failed); the message lists each failure.</summary>
public sealed class EnsembleException(string message, int? rejectedWithStatus = null, bool allBusy = false) : AvengersException(message)
{
    /// <summary>Every model tried was at capacity: overload (429), not a failure.</summary>
    public bool AllBusy { get; } = allBusy;

    /// <summary>The HTTP status of a backend that refused the request itself (4xx), when that ended the attempt.</summary>
    public int? RejectedWithStatus { get; } = rejectedWithStatus;
}
