using System.Net;
using System.Text;
using System.Text.Json;
using Avengers.Routing;
using Avengers.Server.Configuration;
using Avengers.Server.Fleet;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;

namespace Avengers.Tests.Server;

/// <summary>A new router artifact reaches running gateways without a restart; a damaged one never does.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class RouterRolloutTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    private async Task<WebApplication> GatewayAsync(string router, ScriptedBackend backend, string? redis = null, string prefix = "avengers:")
    {
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = router,
            Embedding = "minilm",
            Strategy = new StrategyConfig { Default = "direct" },
            Redis = redis,
            RedisPrefix = prefix,
            Backends = [new BackendConfig { Name = "calc", BaseUrl = backend.BaseUrl }, new BackendConfig { Name = "scribe", BaseUrl = backend.BaseUrl }],
        };
        WebApplication app = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await app.StartAsync();
        return app;
    }

    private static async Task<string?> ServedAsync(WebApplication gateway)
    {
        using var http = new HttpClient();
        using JsonDocument models = JsonDocument.Parse(await http.GetStringAsync(gateway.Urls.First() + "/v1/models"));
        return models.RootElement.GetProperty("avengers").GetProperty("artifact_sha256").GetString();
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < within)
        {
            if (await condition()) return true;
            await Task.Delay(50);
        }
        return await condition();
    }

    /// <summary>A second artifact for the same models and embedding (another calibration: another file hash).</summary>
    private async Task<string> AnotherArtifactAsync()
    {
        (_, string router) = await GatewayEndToEndTests.CalibrateAsync(TestData.TempDir(), fixture.Embedding);
        Assert.NotEqual(RouterArtifact.Load(fixture.Router).FileHash, RouterArtifact.Load(router).FileHash);
        return router;
    }

    [Fact]
    public async Task Without_redis_a_rewritten_router_file_is_swapped_in_and_a_damaged_one_is_refused()
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        string dir = TestData.TempDir();
        string router = Path.Combine(dir, "router.avengers");
        File.Copy(fixture.Router, router);
        await using WebApplication gateway = await GatewayAsync(router, backend);
        string? before = await ServedAsync(gateway);

        string next = await AnotherArtifactAsync();
        string expected = RouterArtifact.Load(next).FileHash!;
        File.Copy(next, router + ".tmp");
        File.Move(router + ".tmp", router, overwrite: true); // as 'calibrate -o' writes: a whole file, renamed into place
        Assert.True(await EventuallyAsync(async () => await ServedAsync(gateway) == expected, TimeSpan.FromSeconds(5)), $"still serving {before}");

        // The answer carries the new artifact's id.
        using var http = new HttpClient();
        using HttpResponseMessage answered = await http.PostAsync(gateway.Urls.First() + "/v1/chat/completions", new StringContent(
            JsonSerializer.Serialize(new { model = "avengers", messages = new[] { new { role = "user", content = GatewayEndToEndTests.MathQuestions[0] } } }), Encoding.UTF8, "application/json"));
        Assert.Equal(expected, answered.Headers.GetValues("x-avengers-artifact").Single());
        string metrics = await http.GetStringAsync(gateway.Urls.First() + "/metrics");
        Assert.Matches($@"avengers_gateway_router_artifact\S*\{{[^}}]*artifact_sha256=""{expected}""[^}}]*\}} 1", metrics);

        // A damaged file is refused: the gateway keeps serving the last good artifact.
        byte[] damaged = File.ReadAllBytes(next);
        damaged[damaged.Length / 2] ^= 0xFF;
        File.WriteAllBytes(router + ".tmp", damaged);
        File.Move(router + ".tmp", router, overwrite: true);
        await Task.Delay(2500);
        Assert.Equal(expected, await ServedAsync(gateway));
    }

    [Fact]
    public async Task A_published_artifact_reaches_every_replica_under_load_with_no_failed_request()
    {
        await using RedisServer redis = await RedisServer.SharedOrStartAsync();
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        string prefix = $"t{Guid.NewGuid():N}:";
        var replicas = new List<WebApplication>();
        for (int i = 0; i < 3; i++) replicas.Add(await GatewayAsync(fixture.Router, backend, redis.Configuration, prefix));
        using var fleet = RedisFleet.Create(new GatewayConfig { Redis = redis.Configuration, RedisPrefix = prefix }, _ => null)!;
        try
        {
            using var load = new CancellationTokenSource();
            var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
            Task running = Task.Run(async () =>
            {
                using var http = new HttpClient();
                for (int i = 0; !load.IsCancellationRequested; i++)
                {
                    using HttpResponseMessage response = await http.PostAsync(replicas[i % 3].Urls.First() + "/v1/chat/completions", new StringContent(
                        JsonSerializer.Serialize(new { model = "avengers", messages = new[] { new { role = "user", content = $"What is {i} plus 2?" } } }), Encoding.UTF8, "application/json"));
                    statuses.Add(response.StatusCode);
                }
            });
            await Task.Delay(300);

            string next = await AnotherArtifactAsync();
            var config = new GatewayConfig { Embedding = "minilm", Backends = [new BackendConfig { Name = "calc" }, new BackendConfig { Name = "scribe" }] };
            var (sha, heard) = await RouterPublisher.PublishAsync(fleet, next, config, fixture.Embedding.ModelId, fixture.Embedding.Dimension);
            Assert.Equal(3, heard);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Assert.True(await EventuallyAsync(async () => (await Task.WhenAll(replicas.Select(ServedAsync))).All(s => s == sha), TimeSpan.FromSeconds(2)));
            TimeSpan took = watch.Elapsed;

            // A damaged artifact: the publisher refuses it, and bytes pushed past it are refused by every replica.
            string damagedPath = Path.Combine(TestData.TempDir(), "damaged.avengers");
            byte[] damaged = File.ReadAllBytes(fixture.Router);
            damaged[damaged.Length / 2] ^= 0xFF;
            File.WriteAllBytes(damagedPath, damaged);
            await Assert.ThrowsAsync<RouterArtifactException>(() => RouterPublisher.PublishAsync(fleet, damagedPath, config, fixture.Embedding.ModelId, fixture.Embedding.Dimension));
            await fleet.Connection.GetDatabase().StringSetAsync(fleet.Key(RouterRollout.ArtifactKey), damaged);
            await fleet.Connection.GetSubscriber().PublishAsync(StackExchange.Redis.RedisChannel.Literal(prefix + RouterRollout.Channel), "damaged");
            await Task.Delay(1000);
            Assert.All(await Task.WhenAll(replicas.Select(ServedAsync)), s => Assert.Equal(sha, s));

            // Every replica reports what it serves, for 'avengers router status'.
            Assert.True(await EventuallyAsync(async () => (await RouterPublisher.StatusAsync(fleet)).Count(b => b.GetProperty("artifact_sha256").GetString() == sha) == 3, TimeSpan.FromSeconds(12)));

            await load.CancelAsync();
            await running;
            Assert.True(statuses.Count > 10, $"{statuses.Count} requests");
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
            Assert.True(took < TimeSpan.FromSeconds(2), $"{took}");
        }
        finally
        {
            foreach (WebApplication replica in replicas) await replica.DisposeAsync();
        }
    }
}
