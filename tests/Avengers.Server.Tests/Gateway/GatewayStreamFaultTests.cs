using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;

namespace Avengers.Tests.Server;

/// <summary>Broken backend streams never pass as success: before the first token the next model answers; after it, an error event ends the stream.</summary>
public sealed class GatewayStreamFaultTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    private static readonly string MathQuestion = GatewayEndToEndTests.MathQuestions[0];

    private async Task<WebApplication> GatewayAsync(ScriptedBackend calc, ScriptedBackend scribe, double timeoutSeconds = 5)
    {
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            Strategy = new StrategyConfig { Default = "direct" },
            Backends =
            [
                new BackendConfig { Name = "calc", BaseUrl = calc.BaseUrl, Retries = 0, TimeoutSeconds = timeoutSeconds },
                new BackendConfig { Name = "scribe", BaseUrl = scribe.BaseUrl, Retries = 0, TimeoutSeconds = timeoutSeconds },
            ],
        };
        WebApplication app = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await app.StartAsync();
        return app;
    }

    private static async Task<(HttpResponseMessage Response, string Sse)> StreamAsync(WebApplication gateway)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var body = new { model = "avengers", stream = true, messages = new[] { new { role = "user", content = MathQuestion } } };
        HttpResponseMessage response = await http.PostAsync(gateway.Urls.First() + "/v1/chat/completions", new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        return (response, await response.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, string> BrokenBeforeTheFirstToken => new()
    {
        { "text/html", "<html><body>502 Bad Gateway (nginx)</body></html>" },
        { "text/event-stream", "data: {\"choices\": [{\"delta\": {\"content\": \"The ans\n\ndata: [DONE]\n\n" },
        { "application/json", "{\"id\": \"x\", \"choices\": [" },
    };

    [Theory]
    [MemberData(nameof(BrokenBeforeTheFirstToken))]
    public async Task A_broken_200_before_the_first_token_falls_back_to_the_next_model(string contentType, string body)
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Raw(c, contentType, body));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Stream(c, ["The answer ", "is (B)."]));
        await using WebApplication gateway = await GatewayAsync(calc, scribe);
        var (response, sse) = await StreamAsync(gateway);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("is (B).", sse);
        Assert.Contains("[DONE]", sse);
        Assert.DoesNotContain("\"error\"", sse);
        Assert.True(calc.Calls >= 1 && scribe.Calls == 1, $"calc {calc.Calls}, scribe {scribe.Calls}");
    }

    [Fact]
    public async Task A_stream_that_ends_without_done_ends_with_an_error_event()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Stream(c, ["The ", "answer ", "is"], done: false));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "scribe"));
        await using WebApplication gateway = await GatewayAsync(calc, scribe);
        var (_, sse) = await StreamAsync(gateway);
        Assert.Contains("\"content\":\"The \"", sse);
        Assert.Contains("\"error\"", sse);
        Assert.DoesNotContain("[DONE]", sse);
        Assert.DoesNotContain("\"finish_reason\":\"stop\"", sse);
    }

    [Fact]
    public async Task A_stalled_stream_ends_with_an_error_event_at_the_timeout()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Stream(c, ["The ", "answer ", "is ", "(B)."], stallAfter: 2));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "scribe"));
        await using WebApplication gateway = await GatewayAsync(calc, scribe, timeoutSeconds: 2); // generous: under a loaded test run the first chunk itself may take a while
        var watch = Stopwatch.StartNew();
        var (_, sse) = await StreamAsync(gateway);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.Contains("\"content\":\"The \"", sse);
        Assert.Contains("\"error\"", sse);
        Assert.Contains("timed out", sse);
        Assert.DoesNotContain("[DONE]", sse);
    }
}

/// <summary>Streams that fail after the first token count against the backend like any failed call.</summary>
public sealed class StreamCircuitBreakerTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    [Fact]
    public async Task Streams_cut_mid_way_open_the_circuit_and_readiness_shows_it()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Stream(c, ["The ", "answer ", "is"], done: false));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Stream(c, ["The answer ", "is (B)."]));
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            Strategy = new StrategyConfig { Default = "direct" },
            Backends =
            [
                new BackendConfig { Name = "calc", BaseUrl = calc.BaseUrl, Retries = 0, BreakerMinimumThroughput = 10, BreakSeconds = 60 },
                new BackendConfig { Name = "scribe", BaseUrl = scribe.BaseUrl, Retries = 0 },
            ],
        };
        await using WebApplication gateway = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await gateway.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        string url = gateway.Urls.First();

        // Straight to the member: 14 streams that end without [DONE], each an error event for its client.
        for (int i = 0; i < 14; i++)
        {
            var body = new { model = "calc", stream = true, messages = new[] { new { role = "user", content = GatewayEndToEndTests.MathQuestions[0] } } };
            using HttpResponseMessage response = await http.PostAsync(url + "/v1/chat/completions", new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
            await response.Content.ReadAsStringAsync();
        }
        int callsWhenOpen = calc.Calls;
        Assert.InRange(callsWhenOpen, 10, 14); // the circuit opened after the minimum throughput, and later calls never reached the backend

        using JsonDocument ready = JsonDocument.Parse(await http.GetStringAsync(url + "/health/ready"));
        JsonElement calcStatus = ready.RootElement.GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("name").GetString() == "calc");
        Assert.False(calcStatus.GetProperty("reachable").GetBoolean());

        // The ensemble now streams from the healthy backend without trying the broken one.
        var ask = new { model = "avengers", stream = true, messages = new[] { new { role = "user", content = GatewayEndToEndTests.MathQuestions[0] } } };
        using HttpResponseMessage answered = await http.PostAsync(url + "/v1/chat/completions", new StringContent(JsonSerializer.Serialize(ask), Encoding.UTF8, "application/json"));
        string sse = await answered.Content.ReadAsStringAsync();
        Assert.Contains("[DONE]", sse);
        Assert.Equal(callsWhenOpen, calc.Calls);
    }
}
