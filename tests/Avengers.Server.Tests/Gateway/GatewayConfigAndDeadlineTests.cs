using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;

namespace Avengers.Tests.Server;

/// <summary>Broken configuration files are listed as problems (never a crash); one deadline bounds every request.</summary>
public sealed class GatewayConfigAndDeadlineTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    private static readonly string MathQuestion = GatewayEndToEndTests.MathQuestions[0];

    private string Yaml(string body)
    {
        string path = Path.Combine(TestData.TempDir(), "avengers.yaml");
        File.WriteAllText(path, $"router: {fixture.Router}\nembedding: minilm\n" + body);
        return path;
    }

    [Theory]
    [InlineData("strategy: ~\nbackends:\n  - name: calc\n    base_url: http://127.0.0.1:9/v1\n", null)]
    [InlineData("backends:\n  - ~\n  - name: calc\n    base_url: http://127.0.0.1:9/v1\n", "backends[0]: empty entry")]
    [InlineData("backends:\n  - name: calc\n    base_url: http://127.0.0.1:9/v1\n    timeout_seconds: 1e12\n", "backends[0].timeout_seconds: must lie in (0, 86400]")]
    [InlineData("backends:\n  - name: calc\n    base_url: http://127.0.0.1:9/v1\n    retry_delay_ms: 1e12\n", "backends[0].retry_delay_ms: must lie in")]
    [InlineData("request_timeout_seconds: 0\nbackends:\n  - name: calc\n    base_url: http://127.0.0.1:9/v1\n", "request_timeout_seconds: must lie in")]
    [InlineData("embedding_memory_mb: -1\nbackends:\n  - name: calc\n    base_url: http://127.0.0.1:9/v1\n", "embedding_memory_mb: must lie in [0, 1048576] (got -1)")]
    [InlineData("feedback:\n  change_threshold: -1\nbackends:\n  - name: calc\n    base_url: http://127.0.0.1:9/v1\n", "feedback.change_threshold: must be a finite number >= 0 (got -1)")]
    [InlineData("feedback:\n  change_point_z: 3\nbackends:\n  - name: calc\n    base_url: http://127.0.0.1:9/v1\n", "feedback.change_point_z: replaced by feedback.change_threshold")]
    [InlineData("feedback:\n  log: .\nbackends:\n  - name: calc\n    base_url: http://127.0.0.1:9/v1\n", "is a folder; expected a file to append ratings to")]
    [InlineData("feedback:\n  log: avengers.yaml/ratings.jsonl\nbackends:\n  - name: calc\n    base_url: http://127.0.0.1:9/v1\n", "feedback.log: cannot append to")]
    [InlineData("feedback:\n  log: logs/ratings.jsonl\nbackends:\n  - name: calc\n    base_url: http://127.0.0.1:9/v1\n", null)]
    [InlineData("redis_limit_lease: 0\nbackends:\n  - name: calc\n    base_url: http://127.0.0.1:9/v1\n", "redis_limit_lease: must lie in [1, 10000] (got 0; 1 asks Redis on every request)")]
    [InlineData("strategy:\n  temperature: .nan\nbackends:\n  - name: calc\n    base_url: http://127.0.0.1:9/v1\n", "strategy.temperature")]
    public void Broken_files_are_problems_not_crashes_and_serve_checks_the_same(string yaml, string? problem)
    {
        GatewayConfig config = GatewayConfigLoader.Load(Yaml(yaml));
        IReadOnlyList<string> problems = GatewayConfigLoader.Validate(config, _ => null);
        if (problem is null)
        {
            Assert.Empty(problems);
            return;
        }
        Assert.Contains(problems, p => p.Contains(problem, StringComparison.Ordinal));
        // serve runs the same validation: the same problem, as one error listing every problem, before listening.
        var error = Assert.Throws<GatewayConfigException>(() => GatewayHost.Build(config, fixture.Embedding, _ => null));
        Assert.Contains(problem, error.Message);
    }

    private async Task<(HttpStatusCode Status, string Body, TimeSpan Took)> AskAsync(GatewayConfig config, object? avengers = null)
    {
        await using WebApplication gateway = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await gateway.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
        var body = new Dictionary<string, object> { ["model"] = "avengers", ["messages"] = new[] { new { role = "user", content = MathQuestion } } };
        if (avengers is not null) body["avengers"] = avengers;
        var watch = Stopwatch.StartNew();
        using HttpResponseMessage response = await http.PostAsync(gateway.Urls.First() + "/v1/chat/completions", new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), watch.Elapsed);
    }

    [Theory]
    [InlineData("vote")]
    [InlineData("switch")]
    [InlineData("direct")]
    public async Task A_hung_backend_is_cut_at_the_request_deadline_and_its_calls_cancelled(string strategy)
    {
        await using var hung = await ScriptedBackend.StartAsync(async (_, c) => await Task.Delay(TimeSpan.FromSeconds(60), c.RequestAborted));
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            RequestTimeoutSeconds = 1.5,
            Strategy = new StrategyConfig { Default = strategy, Samples = 3 },
            Backends = [new BackendConfig { Name = "calc", BaseUrl = hung.BaseUrl, TimeoutSeconds = 60 }, new BackendConfig { Name = "scribe", BaseUrl = hung.BaseUrl, TimeoutSeconds = 60 }],
        };
        var (status, body, took) = await AskAsync(config);
        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Contains("deadline of 1.5 s", body);
        Assert.True(took < TimeSpan.FromSeconds(10), $"took {took}");
        await hung.WhenAborted(hung.Calls); // cancellations reach the backend within moments
        Assert.Equal(hung.Calls, hung.Aborted); // nothing left running at the backend
    }

    [Fact]
    public async Task A_request_may_ask_for_a_shorter_deadline_but_not_a_longer_one()
    {
        await using var hung = await ScriptedBackend.StartAsync(async (_, c) => await Task.Delay(TimeSpan.FromSeconds(60), c.RequestAborted));
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            RequestTimeoutSeconds = 30,
            Strategy = new StrategyConfig { Default = "direct" },
            Backends = [new BackendConfig { Name = "calc", BaseUrl = hung.BaseUrl }, new BackendConfig { Name = "scribe", BaseUrl = hung.BaseUrl }],
        };
        var (status, body, took) = await AskAsync(config, new { timeout_seconds = 1 });
        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Contains("deadline of 1 s", body);
        Assert.True(took < TimeSpan.FromSeconds(10), $"took {took}");

        var (badStatus, badBody, _) = await AskAsync(config, new { timeout_seconds = "soon" });
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("avengers.timeout_seconds", badBody);
    }
}
