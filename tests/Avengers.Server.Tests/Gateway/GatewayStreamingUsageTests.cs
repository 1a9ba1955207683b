using System.ClientModel;
using System.Text;
using System.Text.Json;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;
using OpenAI;
using OpenAI.Chat;

namespace Avengers.Tests.Server;

/// <summary>Streaming is a first-class path: the usage chunk the SDKs ask for, the explanation headers, the metrics.</summary>
public sealed class GatewayStreamingUsageTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    private async Task<WebApplication> GatewayAsync(ScriptedBackend backend, string strategy)
    {
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            Strategy = new StrategyConfig { Default = strategy, Samples = 3 },
            Backends = [new BackendConfig { Name = "calc", BaseUrl = backend.BaseUrl }, new BackendConfig { Name = "scribe", BaseUrl = backend.BaseUrl }],
        };
        WebApplication app = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task The_official_dotnet_sdk_gets_usage_at_the_end_of_a_voted_stream()
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.AnswerN(c, _ => "The answer is (B)."));
        await using WebApplication gateway = await GatewayAsync(backend, "vote");
        var client = new ChatClient("avengers", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = new Uri(gateway.Urls.First() + "/v1") });
        ChatTokenUsage? usage = null;
        var text = new StringBuilder();
        await foreach (StreamingChatCompletionUpdate update in client.CompleteChatStreamingAsync([new UserChatMessage(GatewayEndToEndTests.MathQuestions[0])]))
        {
            foreach (ChatMessageContentPart part in update.ContentUpdate) text.Append(part.Text);
            usage ??= update.Usage;
        }
        Assert.Contains("The answer is (B).", text.ToString());
        Assert.NotNull(usage);
        Assert.True(usage!.TotalTokenCount > 0, $"usage {usage.InputTokenCount} + {usage.OutputTokenCount}");
    }

    [Fact]
    public async Task Streamed_responses_carry_the_explanation_headers_and_a_usage_chunk_when_asked()
    {
        await using var backend = await ScriptedBackend.StartAsync(async (_, c) =>
        {
            if (await ScriptedBackend.IsStreamingAsync(c)) await ScriptedBackend.Stream(c, ["The answer ", "is (B)."]);
            else await ScriptedBackend.AnswerN(c, _ => "The answer is (B).");
        });
        foreach (string strategy in new[] { "vote", "direct" })
        {
            await using WebApplication gateway = await GatewayAsync(backend, strategy);
            using var http = new HttpClient();
            string body = JsonSerializer.Serialize(new { model = "avengers", stream = true, stream_options = new { include_usage = true }, messages = new[] { new { role = "user", content = GatewayEndToEndTests.MathQuestions[0] } } });
            using HttpResponseMessage response = await http.PostAsync(gateway.Urls.First() + "/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            string sse = await response.Content.ReadAsStringAsync();
            Assert.Equal(strategy, response.Headers.GetValues("x-avengers-strategy").Single());
            Assert.True(response.Headers.Contains("x-avengers-model"), strategy);
            // The voted samples reported usage; the scripted stream reported none, so its usage is unknown (null), not zeros.
            Assert.Contains(strategy == "vote" ? "\"choices\":[],\"usage\":{" : "\"choices\":[],\"usage\":null", sse);
            Assert.True(sse.IndexOf("\"usage\"", StringComparison.Ordinal) < sse.IndexOf("[DONE]", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_direct_stream_over_the_replay_server_reports_the_usage_it_streamed()
    {
        (Avengers.Data.Benchmark benchmark, string router) = await GatewayEndToEndTests.CalibrateAsync(TestData.TempDir(), fixture.Embedding);
        await using WebApplication replay = Avengers.Testbed.Replay.ReplayServer.Build(benchmark, "http://127.0.0.1:0");
        await replay.StartAsync();
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = router,
            Embedding = "minilm",
            Strategy = new StrategyConfig { Default = "direct" },
            Backends = [new BackendConfig { Name = "calc", BaseUrl = replay.Urls.First() + "/v1" }, new BackendConfig { Name = "scribe", BaseUrl = replay.Urls.First() + "/v1" }],
        };
        await using WebApplication gateway = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await gateway.StartAsync();
        using var http = new HttpClient();
        string body = JsonSerializer.Serialize(new { model = "avengers", stream = true, stream_options = new { include_usage = true }, messages = new[] { new { role = "user", content = GatewayEndToEndTests.MathQuestions[0] } } });
        using HttpResponseMessage response = await http.PostAsync(gateway.Urls.First() + "/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        string sse = await response.Content.ReadAsStringAsync();
        string usageLine = sse.Split('\n').Single(l => l.Contains("\"choices\":[],\"usage\":", StringComparison.Ordinal));
        using JsonDocument chunk = JsonDocument.Parse(usageLine["data: ".Length..]);
        Assert.True(chunk.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt64() > 0, usageLine);
    }

    [Fact]
    public async Task Metrics_can_require_the_gateway_key()
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            ApiKeysEnv = ["METRICS_TEST_KEY"],
            MetricsRequireKey = true,
            Backends = [new BackendConfig { Name = "calc", BaseUrl = backend.BaseUrl }, new BackendConfig { Name = "scribe", BaseUrl = backend.BaseUrl }],
        };
        await using WebApplication gateway = GatewayHost.Build(config, fixture.Embedding, name => name == "METRICS_TEST_KEY" ? "k-123" : null);
        await gateway.StartAsync();
        using var http = new HttpClient();
        using HttpResponseMessage denied = await http.GetAsync(gateway.Urls.First() + "/metrics");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, denied.StatusCode);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "k-123");
        using HttpResponseMessage allowed = await http.GetAsync(gateway.Urls.First() + "/metrics");
        Assert.Equal(System.Net.HttpStatusCode.OK, allowed.StatusCode);
    }
}
