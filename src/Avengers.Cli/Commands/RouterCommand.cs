using System.CommandLine;
using System.Text.Json;
using Avengers.Embedding;
using Avengers.Routing;
using Avengers.Server.Configuration;
using Avengers.Server.Fleet;

namespace Avengers.Cli.Commands;

/// <summary><c>avengers router publish FILE --config gateway.yaml</c> and <c>avengers router status --config gateway.yaml</c>: rollout in fleet mode.</summary>
internal static class RouterCommand
{
    public static Command Create()
    {
        var artifact = new Argument<string>("artifact") { Description = "Router artifact to roll out (written by calibrate)" };
        var config = new Option<string>("--config", "-c") { Description = "Gateway configuration (YAML) with redis: the fleet to publish to", Required = true };
        var publish = new Command("publish", "Check a router artifact against the configuration, store it in Redis and announce it: every replica swaps it in without a restart") { artifact, config };
        publish.SetAction((parse, _) => CliRunner.RunAsync(async () =>
        {
            GatewayConfig loaded = GatewayConfigLoader.Load(parse.GetValue(config)!);
            using RedisFleet fleet = Connect(loaded, parse.GetValue(config)!);
            EmbeddingModelSpec spec = EmbeddingModelSpec.Parse(loaded.Embedding);
            string file = parse.GetValue(artifact)!;
            int dimension = spec.Dimension ?? RouterArtifact.Load(file).Manifest.Embedding.Dimension;
            var (sha, replicas) = await RouterPublisher.PublishAsync(fleet, file, loaded, spec.Id, dimension);
            Console.WriteLine($"published {file} ({sha}); {replicas} replica(s) subscribed heard it; 'avengers router status --config {parse.GetValue(config)}' shows what each serves");
            return 0;
        }));

        var statusConfig = new Option<string>("--config", "-c") { Description = "Gateway configuration (YAML) with redis", Required = true };
        var status = new Command("status", "List the live replicas of the fleet and the router artifact each serves") { statusConfig };
        status.SetAction((parse, _) => CliRunner.RunAsync(async () =>
        {
            GatewayConfig loaded = GatewayConfigLoader.Load(parse.GetValue(statusConfig)!);
            using RedisFleet fleet = Connect(loaded, parse.GetValue(statusConfig)!);
            IReadOnlyList<JsonElement> replicas = await RouterPublisher.StatusAsync(fleet);
            if (replicas.Count == 0) { Console.WriteLine("no live replica has reported in the last 15 s"); return 0; }
            Console.WriteLine($"{"replica",-48} {"artifact (sha256)",-66} swaps");
            foreach (JsonElement replica in replicas)
                Console.WriteLine($"{replica.GetProperty("replica").GetString(),-48} {replica.GetProperty("artifact_sha256").GetString(),-66} {replica.GetProperty("swaps").GetInt32()}");
            int distinct = replicas.Select(r => r.GetProperty("artifact_sha256").GetString()).Distinct().Count();
            Console.WriteLine(distinct == 1 ? "every replica serves the same artifact" : $"{distinct} different artifacts are served (a rollout in progress, or a replica refused one: see its log)");
            return 0;
        }));
        return new Command("router", "Roll a router artifact out to a running fleet (needs redis: in the configuration)") { publish, status };
    }

    private static RedisFleet Connect(GatewayConfig config, string path)
    {
        RedisFleet fleet = RedisFleet.Create(config, Environment.GetEnvironmentVariable)
            ?? throw new ArgumentException($"{path} has no redis: (or redis_env): without Redis each gateway watches its router file; replace that file to roll out");
        if (!fleet.Connection.IsConnected && !SpinWait.SpinUntil(() => fleet.Connection.IsConnected, TimeSpan.FromSeconds(5)))
        {
            fleet.Dispose();
            throw new IOException("Redis could not be reached (check redis: in the configuration)");
        }
        return fleet;
    }
}
