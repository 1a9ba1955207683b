namespace Avengers.Server.Fleet;

/// <summary>What a key's limits say about one more request.</summary>
/// <param name="Refused">null: admitted; else which limit refused it: requests, tokens or budget.</param>
/// <param name="RetryAfter">When the refusing limit's window (or budget period) ends.</param>
internal sealed record LimitVerdict(string? Refused, TimeSpan RetryAfter, LimitCounters Counters)
{
    /// <summary>Admitted by a permit this replica already held (no call to the store: says nothing of its health).</summary>
    public bool Leased { get; init; }
}
