using System.Text.Json;
using Avengers.Routing;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using StackExchange.Redis;

namespace Avengers.Server.Fleet;

/// <summary>What <c>avengers router publish</c> and <c>avengers router status</c> do, against the configuration's Redis.</summary>
public static class RouterPublisher
{
    /// <summary>Checks the artifact (checksums, and that it fits the configuration), stores it and announces it.</summary>
    /// <returns>The artifact's SHA-256 and how many subscribers (replicas) heard the announcement.</returns>
    /// <exception cref="RouterArtifactException">Damaged.</exception>
    /// <exception cref="ArgumentException">It does not fit the configuration.</exception>
    public static async Task<(string Sha, long Replicas)> PublishAsync(RedisFleet fleet, string artifactPath, GatewayConfig config, string embeddingModel, int dimension)
    {
        RouterArtifact artifact = RouterArtifact.Load(artifactPath);
        if (GatewayRuntime.CompatibilityProblem(artifact, embeddingModel, dimension, config) is string problem)
            throw new ArgumentException($"{artifactPath} does not fit {config.SourcePath ?? "the configuration"}: {problem}");
        IDatabase redis = fleet.Connection.GetDatabase();
        await redis.StringSetAsync(fleet.Key(RouterRollout.ArtifactKey), await File.ReadAllBytesAsync(artifactPath)).ConfigureAwait(false);
        long heard = await fleet.Connection.GetSubscriber().PublishAsync(RedisChannel.Literal(fleet.Prefix + RouterRollout.Channel), artifact.FileHash).ConfigureAwait(false);
        return (artifact.FileHash!, heard);
    }

    /// <summary>The live replicas' heartbeats: which artifact each serves.</summary>
    public static async Task<IReadOnlyList<JsonElement>> StatusAsync(RedisFleet fleet)
    {
        var beats = new List<JsonElement>();
        foreach (IServer server in fleet.Connection.GetServers())
        {
            await foreach (RedisKey key in server.KeysAsync(pattern: fleet.Prefix + "replica:*").ConfigureAwait(false))
                if ((string?)await fleet.Connection.GetDatabase().StringGetAsync(key).ConfigureAwait(false) is string beat)
                    beats.Add(JsonDocument.Parse(beat).RootElement.Clone());
        }
        return [.. beats.OrderBy(b => b.GetProperty("replica").GetString(), StringComparer.Ordinal)];
    }
}
