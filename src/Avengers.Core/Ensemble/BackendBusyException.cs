namespace Avengers.Ensemble;

/// <summary>A member is at capacity (every slot in flight and its queue full): the request is refused rather than queued without bound.</summary>
public sealed class BackendBusyException(string message) : AvengersException(message);
