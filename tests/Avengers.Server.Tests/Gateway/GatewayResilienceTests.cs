using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Avengers.Embedding;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Avengers.Tests.Server;

/// <summary>One MiniLM model and one calibrated router for all resilience tests (calc: math, scribe: history).</summary>
public sealed class RouterFixture : IAsyncLifetime
{
    public EmbeddingStack Embedding { get; private set; } = null!;
    public string Router { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Embedding = await EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse("minilm"), null);
        (_, Router) = await GatewayEndToEndTests.CalibrateAsync(TestData.TempDir(), Embedding);
    }

    public Task DisposeAsync()
    {
        Embedding.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The gateway against scripted backends over real HTTP: retries, circuit breaking, timeouts, queues, disconnects, cut streams.</summary>
[Collection(nameof(TimingSensitive))] // reads /metrics
public sealed class GatewayResilienceTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    private static readonly string MathQuestion = GatewayEndToEndTests.MathQuestions[0];

    private async Task<WebApplication> GatewayAsync(BackendConfig calc, BackendConfig scribe, string strategy = "direct", int samples = 3)
    {
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            Strategy = new StrategyConfig { Default = strategy, Samples = samples },
            Backends = [calc, scribe],
        };
        WebApplication app = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await app.StartAsync();
        return app;
    }

    private static BackendConfig Backend(string name, ScriptedBackend backend, Func<BackendConfig, BackendConfig>? tweak = null)
    {
        var config = new BackendConfig { Name = name, BaseUrl = backend.BaseUrl, RetryDelayMilliseconds = 50 };
        return tweak?.Invoke(config) ?? config;
    }

    private static async Task<(HttpStatusCode Status, JsonDocument Body, HttpResponseMessage Response)> PostAsync(WebApplication gateway, object body, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient();
        HttpResponseMessage response = await http.PostAsync(gateway.Urls.First() + "/v1/chat/completions",
            new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"), cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        return (response.StatusCode, JsonDocument.Parse(text.StartsWith("data:") ? "{}" : text), response);
    }

    private static object Chat(string model, string text, bool stream = false) => new { model, stream, messages = new[] { new { role = "user", content = text } } };

    [Fact]
    public async Task Retries_honour_retry_after()
    {
        await using var calc = await ScriptedBackend.StartAsync((i, c) => i == 0 ? ScriptedBackend.Fail(c, 429, "1") : ScriptedBackend.Answer(c, "The answer is (B)."));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        await using WebApplication gateway = await GatewayAsync(Backend("calc", calc), Backend("scribe", scribe));

        var watch = Stopwatch.StartNew();
        var (status, body, _) = await PostAsync(gateway, Chat("calc", "hello"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, calc.Calls);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {watch.Elapsed.TotalMilliseconds:F0} ms, Retry-After said 1 s");
        Assert.Equal("The answer is (B).", body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Open_circuit_stops_calls_and_the_ensemble_falls_back_to_the_next_model()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Fail(c, 500));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "scribe answers"));
        await using WebApplication gateway = await GatewayAsync(
            Backend("calc", calc, b => b with { Retries = 0, BreakerMinimumThroughput = 2, BreakSeconds = 30 }), Backend("scribe", scribe));

        for (int i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.BadGateway, (await PostAsync(gateway, Chat("calc", "hello"))).Status);
        int before = calc.Calls;
        var (status, body, response) = await PostAsync(gateway, Chat("avengers", MathQuestion));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(before, calc.Calls); // the open circuit answered without calling calc
        Assert.Equal("scribe", response.Headers.GetValues("x-avengers-model").Single());
        Assert.Equal("calc", body.RootElement.GetProperty("avengers").GetProperty("models")[0].GetProperty("model").GetString());

        // Operators see it: calc is not ready while its circuit is open, and the circuit metric says so.
        using var http = new HttpClient();
        using JsonDocument ready = JsonDocument.Parse(await http.GetStringAsync(gateway.Urls.First() + "/health/ready"));
        JsonElement calcStatus = ready.RootElement.GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("name").GetString() == "calc");
        Assert.False(calcStatus.GetProperty("reachable").GetBoolean());
        Assert.True(calcStatus.GetProperty("circuit_open").GetBoolean());
        string metrics = await http.GetStringAsync(gateway.Urls.First() + "/metrics");
        Assert.Matches(@"avengers_gateway_backend_circuit_open\S*\{[^}]*backend=""calc""[^}]*\} 1", metrics);
        Assert.Matches(@"avengers_gateway_backend_circuit_open\S*\{[^}]*backend=""scribe""[^}]*\} 0", metrics);
    }

    [Fact]
    public async Task Timeout_falls_back_to_the_next_ranked_model()
    {
        // The late answer would take 60 s; the gateway must give up on it after 0.5 s (generous bound: CI runs tests in parallel).
        await using var calc = await ScriptedBackend.StartAsync(async (_, c) => { await Task.Delay(60_000, c.RequestAborted); await ScriptedBackend.Answer(c, "late"); });
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "on time"));
        await using WebApplication gateway = await GatewayAsync(Backend("calc", calc, b => b with { Retries = 0, TimeoutSeconds = 0.5 }), Backend("scribe", scribe));

        var watch = Stopwatch.StartNew();
        var (status, body, _) = await PostAsync(gateway, Chat("avengers", MathQuestion));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Equal("on time", body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Full_queue_answers_429()
    {
        await using var calc = await ScriptedBackend.StartAsync(async (_, c) => { await Task.Delay(1000, c.RequestAborted); await ScriptedBackend.Answer(c, "slow"); });
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        await using WebApplication gateway = await GatewayAsync(Backend("calc", calc, b => b with { MaxConcurrency = 1, MaxQueue = 0 }), Backend("scribe", scribe));

        var first = PostAsync(gateway, Chat("calc", "one"));
        await calc.WhenCalls(1); // the first request holds the only slot
        var (status, body, _) = await PostAsync(gateway, Chat("calc", "two"));
        Assert.Equal((HttpStatusCode)429, status);
        Assert.Equal("backend_busy", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, (await first).Status);
    }

    [Fact]
    public async Task Ensemble_requests_over_models_at_capacity_answer_429_with_retry_after()
    {
        var slow = async (int _, HttpContext c) => { await Task.Delay(1000, c.RequestAborted); await ScriptedBackend.Answer(c, "The answer is (B)."); };
        await using var calc = await ScriptedBackend.StartAsync(slow);
        await using var scribe = await ScriptedBackend.StartAsync(slow);
        await using WebApplication gateway = await GatewayAsync(Backend("calc", calc, b => b with { MaxConcurrency = 1, MaxQueue = 0 }), Backend("scribe", scribe, b => b with { MaxConcurrency = 1, MaxQueue = 0 }));

        var first = PostAsync(gateway, Chat("calc", "one"));
        var second = PostAsync(gateway, Chat("scribe", "two"));
        await Task.WhenAll(calc.WhenCalls(1), scribe.WhenCalls(1)); // both slots taken
        var (status, body, response) = await PostAsync(gateway, Chat("avengers", MathQuestion));
        Assert.Equal((HttpStatusCode)429, status);
        Assert.Equal("backend_busy", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.OK, (await first).Status);
        Assert.Equal(HttpStatusCode.OK, (await second).Status);
    }

    [Fact]
    public async Task Streamed_direct_requests_over_models_at_capacity_answer_429_not_502()
    {
        var slow = async (int _, HttpContext c) =>
        {
            await Task.Delay(1000, c.RequestAborted);
            if (await ScriptedBackend.IsStreamingAsync(c)) await ScriptedBackend.Stream(c, ["The answer ", "is (B)."]);
            else await ScriptedBackend.Answer(c, "The answer is (B).");
        };
        await using var calc = await ScriptedBackend.StartAsync(slow);
        await using var scribe = await ScriptedBackend.StartAsync(slow);
        await using WebApplication gateway = await GatewayAsync(Backend("calc", calc, b => b with { MaxConcurrency = 1, MaxQueue = 1 }), Backend("scribe", scribe, b => b with { MaxConcurrency = 1, MaxQueue = 1 }));

        // 12 concurrent streamed requests on 2 backends that hold 2 each (one running, one queued): the rest are overload.
        var requests = Enumerable.Range(0, 12).Select(_ => PostAsync(gateway, Chat("avengers-direct", MathQuestion, stream: true))).ToArray();
        var results = await Task.WhenAll(requests);
        Assert.All(results, r => Assert.True(r.Status is HttpStatusCode.OK or (HttpStatusCode)429, $"{(int)r.Status}"));
        Assert.Contains(results, r => r.Status == (HttpStatusCode)429);
        Assert.All(results.Where(r => r.Status == (HttpStatusCode)429), r => Assert.Equal("1", r.Response.Headers.GetValues("Retry-After").Single()));
    }

    [Fact]
    public async Task Client_disconnect_cancels_the_backend_calls()
    {
        await using var calc = await ScriptedBackend.StartAsync(async (_, c) => { await Task.Delay(10_000, c.RequestAborted); await ScriptedBackend.Answer(c, "never"); });
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        await using WebApplication gateway = await GatewayAsync(Backend("calc", calc, b => b with { SupportsN = false }), Backend("scribe", scribe), strategy: "vote", samples: 3);

        using var cts = new CancellationTokenSource();
        Task request = PostAsync(gateway, Chat("avengers", MathQuestion), cts.Token);
        await calc.WhenCalls(3); // all three samples reached the backend
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await calc.WhenAborted(3);
        Assert.Equal(3, calc.Calls);
        Assert.Equal(3, calc.Aborted);
    }

    [Fact]
    public async Task A_stream_cut_mid_way_ends_with_an_error_event_and_no_switch()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Stream(c, ["The ", "answer ", "is ", "(B)."], cutAfter: 2));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "scribe"));
        await using WebApplication gateway = await GatewayAsync(Backend("calc", calc, b => b with { Retries = 0 }), Backend("scribe", scribe));

        using var http = new HttpClient();
        HttpResponseMessage response = await http.PostAsync(gateway.Urls.First() + "/v1/chat/completions",
            new StringContent(JsonSerializer.Serialize(Chat("avengers", MathQuestion, stream: true)), Encoding.UTF8, "application/json"));
        string sse = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("calc", response.Headers.GetValues("x-avengers-model").Single());
        Assert.Contains("\"content\":\"The \"", sse);
        Assert.Contains("\"error\"", sse);
        Assert.Contains("mid-stream", sse);
        Assert.DoesNotContain("[DONE]", sse);
        Assert.Equal(0, scribe.Calls);
    }

    [Fact]
    public async Task Voting_over_varied_samples_picks_the_majority()
    {
        string[] answers = ["The answer is (C).", "The answer is (B).", "I believe the answer is (B).", "The answer is (D).", "The answer is (B)."];
        await using var calc = await ScriptedBackend.StartAsync((i, c) => ScriptedBackend.Answer(c, answers[i % answers.Length]));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        await using WebApplication gateway = await GatewayAsync(Backend("calc", calc), Backend("scribe", scribe), strategy: "vote", samples: 5);

        var (status, body, response) = await PostAsync(gateway, new
        {
            model = "avengers",
            messages = new[] { new { role = "user", content = MathQuestion } },
            avengers = new { n = 5 },
        });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("B", response.Headers.GetValues("x-avengers-winner").Single());
        JsonElement decision = body.RootElement.GetProperty("avengers");
        Assert.Equal(5, decision.GetProperty("samples_requested").GetInt32());
        Assert.Equal(decision.GetProperty("samples_requested").GetInt32(), decision.GetProperty("samples_used").GetInt32() + decision.GetProperty("samples_saved").GetInt32());
    }

    [Fact]
    public async Task Samples_come_from_one_request_when_the_backend_honours_n_else_from_parallel_requests()
    {
        string[] answers = ["The answer is (B).", "The answer is (B).", "The answer is (C).", "The answer is (B)."];
        await using var honours = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.AnswerN(c, i => answers[i]));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        await using (WebApplication gateway = await GatewayAsync(Backend("calc", honours), Backend("scribe", scribe), strategy: "vote", samples: 4))
        {
            var (status, body, response) = await PostAsync(gateway, Chat("avengers", GatewayEndToEndTests.MathQuestions[1]));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(1, honours.Calls);
            Assert.Equal("B", response.Headers.GetValues("x-avengers-winner").Single());
            Assert.Equal(4, body.RootElement.GetProperty("avengers").GetProperty("samples_used").GetInt32());
        }

        await using var ignores = await ScriptedBackend.StartAsync((i, c) => ScriptedBackend.Answer(c, answers[i % answers.Length]));
        await using (WebApplication gateway = await GatewayAsync(Backend("calc", ignores), Backend("scribe", scribe), strategy: "vote", samples: 4))
        {
            var (status, _, response) = await PostAsync(gateway, Chat("avengers", GatewayEndToEndTests.MathQuestions[1]));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(4, ignores.Calls); // one n = 4 request answered with one choice, then 3 parallel top-ups
            Assert.Equal("B", response.Headers.GetValues("x-avengers-winner").Single());
            await PostAsync(gateway, Chat("avengers", GatewayEndToEndTests.MathQuestions[2]));
            Assert.Equal(8, ignores.Calls); // not asked for n again: 4 single requests
        }
    }

    [Fact]
    public async Task Usage_counts_every_sample_once_and_backend_prices_give_the_cost()
    {
        string[] answers = ["The answer is (B).", "The answer is (B).", "The answer is (C).", "The answer is (B)."];
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        static BackendConfig Priced(BackendConfig b) => b with { PriceInputPerMillion = 2, PriceOutputPerMillion = 6 };

        // One request with n = 4: its usage (10 prompt, 20 completion tokens) covers all four samples.
        await using var honours = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.AnswerN(c, i => answers[i]));
        await using (WebApplication gateway = await GatewayAsync(Backend("calc", honours, Priced), Backend("scribe", scribe, Priced), strategy: "vote", samples: 4))
        {
            var (status, body, response) = await PostAsync(gateway, Chat("avengers", GatewayEndToEndTests.MathQuestions[1]));
            Assert.Equal(HttpStatusCode.OK, status);
            JsonElement usage = body.RootElement.GetProperty("usage");
            Assert.Equal(10, usage.GetProperty("prompt_tokens").GetInt32());
            Assert.Equal(20, usage.GetProperty("completion_tokens").GetInt32());
            JsonElement calc = body.RootElement.GetProperty("avengers").GetProperty("usage").GetProperty("calc");
            Assert.Equal(4, calc.GetProperty("samples").GetInt32());
            double expected = (10 * 2 + 20 * 6) / 1e6;
            Assert.Equal(expected, body.RootElement.GetProperty("avengers").GetProperty("cost_usd").GetDouble(), 12);
            Assert.Equal(expected, double.Parse(response.Headers.GetValues("x-avengers-cost-usd").Single(), System.Globalization.CultureInfo.InvariantCulture), 9);
        }

        // Four single requests of 1 + 1 tokens each; without prices for calc there is no cost.
        await using var ignores = await ScriptedBackend.StartAsync((i, c) => ScriptedBackend.Answer(c, answers[i % answers.Length]));
        await using (WebApplication gateway = await GatewayAsync(Backend("calc", ignores), Backend("scribe", scribe, Priced), strategy: "vote", samples: 4))
        {
            var (status, body, response) = await PostAsync(gateway, Chat("avengers", GatewayEndToEndTests.MathQuestions[1]));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(4, body.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
            Assert.Equal(4, body.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
            Assert.False(body.RootElement.GetProperty("avengers").TryGetProperty("cost_usd", out JsonElement cost) && cost.ValueKind == JsonValueKind.Number);
            Assert.False(response.Headers.Contains("x-avengers-cost-usd"));
        }
    }

    [Fact]
    public async Task Readiness_probes_the_backends_and_fails_only_when_none_answers()
    {
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        var dead = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        BackendConfig deadCalc = Backend("calc", dead);
        await dead.DisposeAsync(); // its port is closed now

        using var http = new HttpClient();
        await using (WebApplication gateway = await GatewayAsync(deadCalc, Backend("scribe", scribe)))
        {
            HttpResponseMessage response = await http.GetAsync(gateway.Urls.First() + "/health/ready");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(1, body.RootElement.GetProperty("reachable").GetInt32());
            JsonElement calc = body.RootElement.GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("name").GetString() == "calc");
            Assert.False(calc.GetProperty("reachable").GetBoolean());
            Assert.False(string.IsNullOrEmpty(calc.GetProperty("error").GetString()));
        }

        var deadScribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        BackendConfig deadScribeConfig = Backend("scribe", deadScribe);
        await deadScribe.DisposeAsync();
        await using (WebApplication gateway = await GatewayAsync(deadCalc, deadScribeConfig))
        {
            HttpResponseMessage response = await http.GetAsync(gateway.Urls.First() + "/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("\"status\":\"unavailable\"", await response.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(gateway.Urls.First() + "/health/live")).StatusCode); // the process itself is fine
        }
    }

    [Fact]
    public async Task Backend_secrets_never_reach_error_responses()
    {
        const string secret = "sk-very-secret-backend-key-123";
        string? seenAuthorization = null;
        await using var calc = await ScriptedBackend.StartAsync((_, c) => { seenAuthorization = c.Request.Headers.Authorization; return ScriptedBackend.Fail(c, 500); });
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Fail(c, 503));
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            Strategy = new StrategyConfig { Default = "direct" },
            Backends =
            [
                Backend("calc", calc, b => b with { Retries = 0, ApiKeyEnv = "CALC_KEY" }),
                Backend("scribe", scribe, b => b with { Retries = 0, ApiKeyEnv = "CALC_KEY" }),
            ],
        };
        await using WebApplication gateway = GatewayHost.Build(config, fixture.Embedding, name => name == "CALC_KEY" ? secret : null);
        await gateway.StartAsync();

        using var http = new HttpClient();
        HttpResponseMessage response = await http.PostAsync(gateway.Urls.First() + "/v1/chat/completions",
            new StringContent(JsonSerializer.Serialize(Chat("avengers", MathQuestion)), Encoding.UTF8, "application/json"));
        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal($"Bearer {secret}", seenAuthorization);          // the key did go to the backend...
        Assert.DoesNotContain(secret, body);                          // ...but never into the error
        Assert.DoesNotContain(secret, string.Join(" ", response.Headers.SelectMany(h => h.Value)));
    }

    [Fact]
    public async Task Official_client_against_scripted_backends_gets_retried_and_voted_answers()
    {
        string[] answers = ["The answer is (C).", "The answer is (B).", "I believe the answer is (B)."];
        // calc: the first call is rate limited (Retry-After: 3), then samples vary; it ignores n.
        await using var calc = await ScriptedBackend.StartAsync((i, c) => i == 0 ? ScriptedBackend.Fail(c, 429, "3") : ScriptedBackend.Answer(c, answers[i % answers.Length]));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        await using WebApplication gateway = await GatewayAsync(Backend("calc", calc, b => b with { SupportsN = false }), Backend("scribe", scribe), strategy: "vote", samples: 3);

        var client = new OpenAI.Chat.ChatClient("avengers", new System.ClientModel.ApiKeyCredential("unused"),
            new OpenAI.OpenAIClientOptions { Endpoint = new Uri(gateway.Urls.First() + "/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });
        var result = await client.CompleteChatAsync([new OpenAI.Chat.UserChatMessage(MathQuestion)]);

        Assert.Contains("(B)", result.Value.Content[0].Text);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-avengers-winner", out string? winner));
        Assert.Equal("B", winner);
        // The rate-limited sample waits out Retry-After; meanwhile two agreeing samples decide the vote,
        // so adaptive voting cancels the retry: three calls, two samples used.
        Assert.Equal(3, calc.Calls);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-avengers-samples", out string? samples));
        Assert.Equal("2/3", samples);
    }
}
