using System.Net;
using System.Text;
using System.Text.Json;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Avengers.Tests.Server;

/// <summary>Failures inside a response body are retried and counted like any other; one request cannot make unbounded calls.</summary>
public sealed class GatewayRetryAndBudgetTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    private static readonly string MathQuestion = GatewayEndToEndTests.MathQuestions[0];

    private async Task<WebApplication> GatewayAsync(ScriptedBackend calc, ScriptedBackend scribe, Func<GatewayConfig, GatewayConfig>? tweak = null, Func<BackendConfig, BackendConfig>? backend = null)
    {
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            Strategy = new StrategyConfig { Default = "direct" },
            Backends =
            [
                new BackendConfig { Name = "calc", BaseUrl = calc.BaseUrl, RetryDelayMilliseconds = 20 },
                new BackendConfig { Name = "scribe", BaseUrl = scribe.BaseUrl, RetryDelayMilliseconds = 20 },
            ],
        };
        if (backend is not null) config = config with { Backends = config.Backends.Select(backend).ToList() };
        if (tweak is not null) config = tweak(config);
        WebApplication app = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await app.StartAsync();
        return app;
    }

    private static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> AskAsync(WebApplication gateway, string model = "avengers")
    {
        using var http = new HttpClient();
        HttpResponseMessage response = await http.PostAsync(gateway.Urls.First() + "/v1/chat/completions",
            new StringContent(JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = MathQuestion } } }), Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public static TheoryData<string> BrokenBodies => new() { "malformed", "cut" };

    [Theory]
    [MemberData(nameof(BrokenBodies))]
    public async Task A_broken_200_body_is_retried_on_the_same_backend(string how)
    {
        await using var calc = await ScriptedBackend.StartAsync(async (call, c) =>
        {
            if (call > 0) { await ScriptedBackend.Answer(c, "The answer is (B)."); return; }
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("{\"id\": \"x\", \"choices\": [{\"message\": ");
            await c.Response.Body.FlushAsync();
            if (how == "cut") c.Abort();
        });
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "scribe"));
        await using WebApplication gateway = await GatewayAsync(calc, scribe, backend: b => b with { Retries = 1 });
        var (status, _, response) = await AskAsync(gateway);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("calc", response.Headers.GetValues("x-avengers-model").Single());
        Assert.Equal(2, calc.Calls);
        Assert.Equal(0, scribe.Calls);
    }

    [Fact]
    public async Task Broken_200_bodies_open_the_circuit()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Raw(c, "application/json", "{\"choices\": ["));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "scribe"));
        await using WebApplication gateway = await GatewayAsync(calc, scribe, backend: b => b with { Retries = 0, BreakerMinimumThroughput = 2, BreakSeconds = 30 });
        for (int i = 0; i < 3; i++) await AskAsync(gateway, "calc");
        int before = calc.Calls;
        var (status, body, _) = await AskAsync(gateway, "calc");
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Contains("circuit open", body);
        Assert.Equal(before, calc.Calls);
    }

    [Fact]
    public async Task One_request_makes_at_most_max_calls_per_request_backend_calls()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using WebApplication gateway = await GatewayAsync(calc, scribe,
            tweak: c => c with { MaxCallsPerRequest = 3, Strategy = new StrategyConfig { Default = "vote", Samples = 10, TopN = 2, Adaptive = false } },
            backend: b => b with { SupportsN = false });
        var (status, body, _) = await AskAsync(gateway);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, calc.Calls + scribe.Calls);
        Assert.Contains("max_calls_per_request", body);
    }
}
