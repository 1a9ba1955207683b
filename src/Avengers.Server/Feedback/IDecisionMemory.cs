namespace Avengers.Server.Feedback;

/// <summary>
/// Remembers recent decisions for a while (bounded), and that a decision was rated (once). In this process by
/// default; in Redis in fleet mode, so feedback given to any replica finds the decision another replica made.
/// </summary>
internal interface IDecisionMemory
{
    Task RememberAsync(RememberedDecision decision, CancellationToken cancellationToken);
    Task<RememberedDecision?> FindAsync(string id, CancellationToken cancellationToken);
    /// <summary>Marks the decision rated; false when it already was (a second rating).</summary>
    Task<bool> TryMarkRatedAsync(string id, CancellationToken cancellationToken);
}
