using Avengers.Server.Configuration;

namespace Avengers.Server.Fleet;

/// <summary>
/// Where per-key counters live: requests and tokens in fixed one-minute windows (on the store's clock), spend per UTC
/// day or month. Admission and counting are separate because tokens and spend are known only after the answer.
/// </summary>
internal interface IKeyLimitStore
{
    /// <summary>Checks every limit of the key and, when all allow it, counts the request; one atomic step.</summary>
    Task<LimitVerdict> AdmitAsync(string name, ApiKeyConfig limits, CancellationToken cancellationToken);

    /// <summary>Adds what a finished request used: the tokens the backends reported and what they cost.</summary>
    Task RecordAsync(string name, ApiKeyConfig limits, long tokens, double costUsd, CancellationToken cancellationToken);

    /// <summary>Hands back what this replica holds and has not used (it is stopping); nothing for a store that holds nothing.</summary>
    Task ReleaseAsync() => Task.CompletedTask;
}
