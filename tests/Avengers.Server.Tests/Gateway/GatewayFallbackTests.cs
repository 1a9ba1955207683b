using System.Net;
using System.Text;
using System.Text.Json;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;

namespace Avengers.Tests.Server;

/// <summary>A last-resort backend behind the ensemble (the ensemble as a ChatClientBuilder stage over it).</summary>
public sealed class GatewayFallbackTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    /// <summary>calc and scribe are the router's models; large, when given, is the last resort.</summary>
    private async Task<WebApplication> GatewayAsync(ScriptedBackend calc, ScriptedBackend scribe, ScriptedBackend? large)
    {
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            Fallback = large is null ? null : "large",
            Strategy = new StrategyConfig { Default = "direct" },
            Backends =
            [
                new BackendConfig { Name = "calc", BaseUrl = calc.BaseUrl, Retries = 0 },
                new BackendConfig { Name = "scribe", BaseUrl = scribe.BaseUrl, Retries = 0 },
                .. (large is null ? Array.Empty<BackendConfig>() : [new BackendConfig { Name = "large", BaseUrl = large.BaseUrl, Retries = 0 }]),
            ],
        };
        WebApplication app = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await app.StartAsync();
        return app;
    }

    private static async Task<(HttpStatusCode Status, string Body)> AskAsync(WebApplication gateway, bool stream = false)
    {
        using var http = new HttpClient();
        string body = JsonSerializer.Serialize(new { model = "avengers", stream, messages = new[] { new { role = "user", content = GatewayEndToEndTests.MathQuestions[0] } } });
        using HttpResponseMessage response = await http.PostAsync(gateway.Urls.First() + "/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task When_every_ranked_model_fails_the_fallback_answers_streamed_or_not()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Fail(c, 500));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Fail(c, 503));
        await using var large = await ScriptedBackend.StartAsync(async (_, c) =>
        {
            if (await ScriptedBackend.IsStreamingAsync(c)) await ScriptedBackend.Stream(c, ["The answer ", "is (B)."]);
            else await ScriptedBackend.Answer(c, "The answer is (B).");
        });
        await using WebApplication gateway = await GatewayAsync(calc, scribe, large);

        var (status, body) = await AskAsync(gateway);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("The answer is (B).", body);

        var (streamStatus, events) = await AskAsync(gateway, stream: true);
        Assert.Equal(HttpStatusCode.OK, streamStatus);
        Assert.Contains("is (B).", events);
        Assert.Contains("[DONE]", events);
        Assert.Equal(2, large.Calls);
        Assert.True(calc.Calls > 0 && scribe.Calls > 0);
    }

    [Fact]
    public async Task The_fallback_is_not_asked_while_the_ensemble_answers_and_without_one_a_failure_stays_a_502()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (C)."));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (C)."));
        await using var large = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using (WebApplication gateway = await GatewayAsync(calc, scribe, large))
        {
            var (status, body) = await AskAsync(gateway);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("The answer is (C).", body);
            Assert.Equal(0, large.Calls);
        }

        await using var down = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Fail(c, 500));
        await using (WebApplication gateway = await GatewayAsync(down, down, large: null))
            Assert.Equal(HttpStatusCode.BadGateway, (await AskAsync(gateway)).Status);
    }

    [Fact]
    public void A_fallback_that_is_not_a_backend_is_a_configuration_problem()
    {
        var config = new GatewayConfig { Router = fixture.Router, Fallback = "gpt-5", Backends = [new BackendConfig { Name = "calc", BaseUrl = "http://127.0.0.1:1/v1" }] };
        Assert.Contains(GatewayConfigLoader.Validate(config, _ => null), p => p.StartsWith("fallback: 'gpt-5' is not one of the backends (calc)", StringComparison.Ordinal));
    }
}
