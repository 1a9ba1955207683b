using System.Net;
using System.Text;
using System.Text.Json;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;

namespace Avengers.Tests.Server;

/// <summary>Several gateway replicas over one real Redis: a shared embedding cache and key limits that hold across replicas.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class FleetTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    private const string TeamKey = "k-team-a-0123";

    private static string? Environment(string name) => name == "TEAM_A_KEY" ? TeamKey : null;

    private async Task<WebApplication[]> ReplicasAsync(int count, string? redis, ApiKeyConfig key, ScriptedBackend backend, string prefix, string redisFailure = "open", double? price = null)
    {
        var replicas = new WebApplication[count];
        for (int i = 0; i < count; i++)
        {
            var config = new GatewayConfig
            {
                Listen = "http://127.0.0.1:0",
                Router = fixture.Router,
                Embedding = "minilm",
                Strategy = new StrategyConfig { Default = "direct" },
                Redis = redis,
                RedisPrefix = prefix,
                RedisFailure = redisFailure,
                ApiKeys = [key],
                Backends =
                [
                    new BackendConfig { Name = "calc", BaseUrl = backend.BaseUrl, PriceInputPerMillion = price, PriceOutputPerMillion = price },
                    new BackendConfig { Name = "scribe", BaseUrl = backend.BaseUrl, PriceInputPerMillion = price, PriceOutputPerMillion = price },
                ],
            };
            replicas[i] = GatewayHost.Build(config, fixture.Embedding, Environment);
            await replicas[i].StartAsync();
        }
        return replicas;
    }

    private static async Task<HttpResponseMessage> AskAsync(WebApplication replica, string question, string key = TeamKey)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Post, replica.Urls.First() + "/v1/chat/completions")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { model = "avengers", messages = new[] { new { role = "user", content = question } } }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        HttpResponseMessage response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static string Prefix() => $"t{Guid.NewGuid():N}:";

    private static async Task DisposeAllAsync(WebApplication[] replicas)
    {
        foreach (WebApplication replica in replicas) await replica.DisposeAsync();
    }

    [Fact]
    public async Task A_question_embedded_on_one_replica_is_a_shared_hit_on_another()
    {
        await using RedisServer redis = await RedisServer.SharedOrStartAsync();
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        WebApplication[] replicas = await ReplicasAsync(2, redis.Configuration, new ApiKeyConfig { Name = "team-a", KeyEnv = "TEAM_A_KEY" }, backend, Prefix());
        try
        {
            string question = $"What is 17 times 23? (asked {Guid.NewGuid():N})";
            Assert.Equal("miss", (await AskAsync(replicas[0], question)).Headers.GetValues("x-avengers-cache").Single());
            Assert.Equal("shared", (await AskAsync(replicas[1], question)).Headers.GetValues("x-avengers-cache").Single());
            Assert.Equal("local", (await AskAsync(replicas[1], question)).Headers.GetValues("x-avengers-cache").Single());
            Assert.Equal("local", (await AskAsync(replicas[0], question)).Headers.GetValues("x-avengers-cache").Single());
        }
        finally { await DisposeAllAsync(replicas); }
    }

    [Fact]
    public async Task Three_replicas_and_a_key_of_10_requests_a_minute_let_exactly_10_through()
    {
        await using RedisServer redis = await RedisServer.SharedOrStartAsync();
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        WebApplication[] replicas = await ReplicasAsync(3, redis.Configuration, new ApiKeyConfig { Name = "team-a", KeyEnv = "TEAM_A_KEY", RequestsPerMinute = 10 }, backend, Prefix());
        try
        {
            // 30 at once, spread over the replicas.
            // Start early in a minute so that all 30 fall in one window (Redis's clock is this machine's): on a loaded
            // machine 30 first requests to three fresh replicas have taken over 15 s, and a window boundary among them
            // lets a second window's requests through.
            if (DateTime.UtcNow.Second > 30) await Task.Delay((61 - DateTime.UtcNow.Second) * 1000);
            {
                HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => AskAsync(replicas[i % 3], $"What is {i} plus {i}?")));
                Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
                HttpResponseMessage[] refused = [.. responses.Where(r => r.StatusCode == (HttpStatusCode)429)];
                Assert.Equal(20, refused.Length);
                foreach (HttpResponseMessage r in refused)
                {
                    Assert.True(int.Parse(r.Headers.GetValues("Retry-After").Single()) is >= 1 and <= 60);
                    Assert.Equal("10", r.Headers.GetValues("x-ratelimit-limit-requests").Single());
                    Assert.Equal("0", r.Headers.GetValues("x-ratelimit-remaining-requests").Single());
                    using JsonDocument body = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
                    Assert.Equal("rate_limit_exceeded", body.RootElement.GetProperty("error").GetProperty("code").GetString());
                    Assert.Contains("team-a", body.RootElement.GetProperty("error").GetProperty("message").GetString());
                    Assert.DoesNotContain(TeamKey, await r.Content.ReadAsStringAsync());
                }
            }
        }
        finally { await DisposeAllAsync(replicas); }
    }

    [Fact]
    public async Task A_token_limit_and_a_budget_hold_across_replicas()
    {
        await using RedisServer redis = await RedisServer.SharedOrStartAsync();
        // Every answer reports 1 prompt and 1 completion token.
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        WebApplication[] tokens = await ReplicasAsync(3, redis.Configuration, new ApiKeyConfig { Name = "team-a", KeyEnv = "TEAM_A_KEY", TokensPerMinute = 3 }, backend, Prefix());
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await AskAsync(tokens[0], "What is 1 plus 1?")).StatusCode); // 0 of 3 used before, 2 after
            HttpResponseMessage second = await AskAsync(tokens[1], "What is 2 plus 2?");                // 2 of 3 before, 4 after
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal("1", second.Headers.GetValues("x-ratelimit-remaining-tokens").Single());
            HttpResponseMessage third = await AskAsync(tokens[2], "What is 3 plus 3?");
            Assert.Equal((HttpStatusCode)429, third.StatusCode);
            Assert.Equal("3", third.Headers.GetValues("x-ratelimit-limit-tokens").Single());
            Assert.Equal("0", third.Headers.GetValues("x-ratelimit-remaining-tokens").Single());
        }
        finally { await DisposeAllAsync(tokens); }

        // 250,000 USD per million tokens: each answer (2 tokens) costs 0.5 USD; a budget of 1 USD admits two.
        WebApplication[] budget = await ReplicasAsync(3, redis.Configuration, new ApiKeyConfig { Name = "team-b", KeyEnv = "TEAM_A_KEY", BudgetUsd = 1 }, backend, Prefix(), price: 250_000);
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await AskAsync(budget[0], "What is 4 plus 4?")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await AskAsync(budget[1], "What is 5 plus 5?")).StatusCode);
            HttpResponseMessage spent = await AskAsync(budget[2], "What is 6 plus 6?");
            Assert.Equal((HttpStatusCode)429, spent.StatusCode);
            using JsonDocument body = JsonDocument.Parse(await spent.Content.ReadAsStringAsync());
            Assert.Equal("insufficient_quota", body.RootElement.GetProperty("error").GetProperty("code").GetString());
            Assert.True(int.Parse(spent.Headers.GetValues("Retry-After").Single()) > 0);
        }
        finally { await DisposeAllAsync(budget); }
    }

    [Fact]
    public async Task Redis_stopped_mid_load_gives_no_5xx_and_limits_recover_without_a_restart()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        WebApplication[] open = await ReplicasAsync(2, redis.Configuration, new ApiKeyConfig { Name = "team-a", KeyEnv = "TEAM_A_KEY", RequestsPerMinute = 1000 }, backend, Prefix());
        WebApplication[] closed = await ReplicasAsync(1, redis.Configuration, new ApiKeyConfig { Name = "team-c", KeyEnv = "TEAM_A_KEY", RequestsPerMinute = 1000 }, backend, Prefix(), redisFailure: "closed");
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await AskAsync(open[0], "What is 7 plus 7?")).StatusCode);
            using var load = new CancellationTokenSource();
            var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
            Task running = Task.Run(async () =>
            {
                for (int i = 0; !load.IsCancellationRequested; i++) statuses.Add((await AskAsync(open[i % 2], $"What is {i} minus 1? (load)")).StatusCode);
            });
            await Task.Delay(300);
            await redis.StopAsync();
            await Task.Delay(1500);

            // Down: open replicas keep answering (limits not enforced), the closed one refuses with 503, readiness is degraded.
            Assert.Equal(HttpStatusCode.OK, (await AskAsync(open[1], "What is 8 plus 8?")).StatusCode);
            HttpResponseMessage refused = await AskAsync(closed[0], "What is 9 plus 9?");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("limit_store_unavailable", await refused.Content.ReadAsStringAsync());
            using (var http = new HttpClient())
            using (JsonDocument ready = JsonDocument.Parse(await http.GetStringAsync(open[0].Urls.First() + "/health/ready")))
                Assert.Equal("degraded", ready.RootElement.GetProperty("status").GetString());

            await redis.StartAgainAsync();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            HttpStatusCode closedAgain;
            do
            {
                await Task.Delay(250);
                closedAgain = (await AskAsync(closed[0], $"What is 10 plus {waited.ElapsedMilliseconds}?")).StatusCode;
            }
            while (closedAgain != HttpStatusCode.OK && waited.Elapsed < TimeSpan.FromSeconds(15));
            Assert.Equal(HttpStatusCode.OK, closedAgain); // recovered by itself
            await load.CancelAsync();
            await running;
            Assert.NotEmpty(statuses);
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        }
        finally
        {
            await DisposeAllAsync(open);
            await DisposeAllAsync(closed);
        }
    }

    [Fact]
    public async Task Without_redis_the_same_limits_hold_per_process()
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        WebApplication[] alone = await ReplicasAsync(1, null, new ApiKeyConfig { Name = "team-a", KeyEnv = "TEAM_A_KEY", RequestsPerMinute = 3 }, backend, "unused:");
        try
        {
            // Start just after a minute boundary so that all four fall in one window.
            if (DateTime.UtcNow.Second > 50) await Task.Delay((61 - DateTime.UtcNow.Second) * 1000);
            HttpResponseMessage[] responses = [.. await Task.WhenAll(Enumerable.Range(0, 3).Select(i => AskAsync(alone[0], $"What is {i} times 2?")))];
            HttpResponseMessage fourth = await AskAsync(alone[0], "What is 4 times 2?");
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Equal((HttpStatusCode)429, fourth.StatusCode);
            Assert.Equal("3", fourth.Headers.GetValues("x-ratelimit-limit-requests").Single());
            // A wrong key is still a 401, never counted.
            Assert.Equal(HttpStatusCode.Unauthorized, (await AskAsync(alone[0], "x", key: "wrong")).StatusCode);

            // The key's name (never the key) labels the metrics: its answered requests and its refusal.
            using var http = new HttpClient();
            string metrics = "";
            for (int i = 0; i < 20 && !metrics.Contains("avengers_gateway_limit_refused"); i++)
            {
                metrics = await http.GetStringAsync(alone[0].Urls.First() + "/metrics");
                if (!metrics.Contains("avengers_gateway_limit_refused")) await Task.Delay(500);
            }
            string refused = metrics.Split('\n').Single(l => l.StartsWith("avengers_gateway_limit_refused", StringComparison.Ordinal) && !l.StartsWith('#'));
            Assert.Contains("key=\"team-a\"", refused);
            Assert.Contains("limit=\"requests\"", refused);
            Assert.Equal("1", refused.Split(' ')[1]); // name{labels} value [timestamp]
            Assert.Contains(metrics.Split('\n'), l => l.StartsWith("avengers_gateway_requests", StringComparison.Ordinal) && l.Contains("key=\"team-a\"") && l.Contains("status=\"200\""));
            Assert.DoesNotContain(TeamKey, metrics);
        }
        finally { await DisposeAllAsync(alone); }
    }
}
