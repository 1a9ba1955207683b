namespace Avengers.Ensemble;

/// <summary>A request reached its cap of backend calls; the call was not made.</summary>
public sealed class CallBudgetExhaustedException(string message) : AvengersException(message);
