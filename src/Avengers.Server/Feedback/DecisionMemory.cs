using System.Text.Json;
using System.Text.Json.Serialization;
using Avengers.Server.Fleet;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace Avengers.Server.Feedback;

/// <summary>What the gateway remembers of one answer so that it can be rated: who received it and how it was decided.</summary>
public sealed record RememberedDecision
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    /// <summary>The name of the key that received the answer ("" without authentication): only it may rate it.</summary>
    [JsonPropertyName("key")] public required string Key { get; init; }
    [JsonPropertyName("artifact_sha256")] public string? ArtifactSha { get; init; }
    /// <summary>The question (kept as long as the decision, for the feedback log that calibration can learn from).</summary>
    [JsonPropertyName("query")] public string Query { get; init; } = "";
    [JsonPropertyName("answer_type")] public required string AnswerType { get; init; }
    [JsonPropertyName("returned_model")] public required string ReturnedModel { get; init; }
    [JsonPropertyName("winner")] public string? Winner { get; init; }
    /// <summary>The clusters the query was routed by: [cluster, weight] pairs.</summary>
    [JsonPropertyName("clusters")] public required IReadOnlyList<double[]> Clusters { get; init; }
    [JsonPropertyName("samples")] public required IReadOnlyList<Avengers.Ensemble.SampleAnswer> Samples { get; init; }
}

/// <summary>
/// Remembers recent decisions for a while (bounded), and that a decision was rated (once). In this process by
/// default; in Redis in fleet mode, so feedback given to any replica finds the decision another replica made.
/// </summary>
public interface IDecisionMemory
{
    Task RememberAsync(RememberedDecision decision, CancellationToken cancellationToken);
    Task<RememberedDecision?> FindAsync(string id, CancellationToken cancellationToken);
    /// <summary>Marks the decision rated; false when it already was (a second rating).</summary>
    Task<bool> TryMarkRatedAsync(string id, CancellationToken cancellationToken);
}

/// <summary>The embedded default: a size-bounded memory cache whose entries expire after the TTL.</summary>
public sealed class InProcessDecisionMemory(TimeSpan ttl, int maxRemembered) : IDecisionMemory, IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, maxRemembered) * 2L });

    public Task RememberAsync(RememberedDecision decision, CancellationToken cancellationToken)
    {
        _cache.Set("d:" + decision.Id, decision, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = ttl });
        return Task.CompletedTask;
    }

    public Task<RememberedDecision?> FindAsync(string id, CancellationToken cancellationToken)
        => Task.FromResult(_cache.TryGetValue("d:" + id, out RememberedDecision? decision) ? decision : null);

    public Task<bool> TryMarkRatedAsync(string id, CancellationToken cancellationToken)
    {
        lock (_cache)
        {
            if (_cache.TryGetValue("r:" + id, out _)) return Task.FromResult(false);
            _cache.Set("r:" + id, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = ttl });
            return Task.FromResult(true);
        }
    }

    public void Dispose() => _cache.Dispose();
}

/// <summary>Fleet mode: decisions as JSON under the prefix with the TTL; "rated" set once with SET NX.</summary>
public sealed class RedisDecisionMemory(RedisFleet fleet, TimeSpan ttl) : IDecisionMemory
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
