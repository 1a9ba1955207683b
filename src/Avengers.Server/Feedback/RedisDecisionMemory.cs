using System.Text.Json;
using Avengers.Server.Fleet;
using StackExchange.Redis;

namespace Avengers.Server.Feedback;

/// <summary>Fleet mode: decisions as JSON under the prefix with the TTL; "rated" set once with SET NX.</summary>
internal sealed class RedisDecisionMemory(RedisFleet fleet, TimeSpan ttl) : IDecisionMemory
{
    public Task RememberAsync(RememberedDecision decision, CancellationToken cancellationToken)
        => fleet.Connection.GetDatabase().StringSetAsync(fleet.Key("decision:" + decision.Id), JsonSerializer.Serialize(decision), ttl).WaitAsync(fleet.Timeout, cancellationToken);

    public async Task<RememberedDecision?> FindAsync(string id, CancellationToken cancellationToken)
    {
        string? json = await fleet.Connection.GetDatabase().StringGetAsync(fleet.Key("decision:" + id)).WaitAsync(fleet.Timeout, cancellationToken).ConfigureAwait(false);
        return json is null ? null : JsonSerializer.Deserialize<RememberedDecision>(json);
    }

    public Task<bool> TryMarkRatedAsync(string id, CancellationToken cancellationToken)
        => fleet.Connection.GetDatabase().StringSetAsync(fleet.Key("rated:" + id), 1, ttl, When.NotExists).WaitAsync(fleet.Timeout, cancellationToken);
}
