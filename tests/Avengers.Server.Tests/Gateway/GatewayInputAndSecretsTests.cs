using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Avengers.Tests.Server;

/// <summary>Bad requests get a 400 in OpenAI's shape naming the field; backend texts, keys and addresses never reach clients.</summary>
public sealed class GatewayInputAndSecretsTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    private static readonly string MathQuestion = GatewayEndToEndTests.MathQuestions[0];
    private const string Secret = "sk-live-0123456789abcdefXYZ";

    private async Task<WebApplication> GatewayAsync(string calcUrl, string scribeUrl, string strategy = "direct")
    {
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            Strategy = new StrategyConfig { Default = strategy, Samples = 2 },
            Backends =
            [
                new BackendConfig { Name = "calc", BaseUrl = calcUrl, Retries = 0, RetryDelayMilliseconds = 10 },
                new BackendConfig { Name = "scribe", BaseUrl = scribeUrl, Retries = 0, RetryDelayMilliseconds = 10 },
            ],
        };
        WebApplication app = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await app.StartAsync();
        return app;
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(WebApplication gateway, string path, byte[] body)
    {
        using var http = new HttpClient();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await http.PostAsync(gateway.Urls.First() + path, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string ClosedPortUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/v1";
    }

    public static TheoryData<string, string, string> MalformedRequests => new()
    {
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": {"n": "5"}}""", "avengers.n" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": {"strategy": 5}}""", "avengers.strategy" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": {"top_n": "x"}}""", "avengers.top_n" },
        // Ranges: the rule set the YAML's strategy section is checked by (SettingsOverrides.Problems).
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": {"top_n": 65}}""", "avengers.top_n: must lie in [1, 64]" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": {"n": 0}}""", "avengers.n: must lie in [1, 64]" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": [1, 2]}]}""", "messages[0].content[0]" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": [{"type": 5}]}]}""", "messages[0].content[0].type" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]}""", "messages[0].content[0].text" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "a \ud800 b"}]}""", "Unicode" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}, {"role": "user", "content": "  "}]}""", "messages[2].content" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "stream": "yes"}""", "stream" },
        { "/v1/route", "[1]", "JSON object" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "top_p": 2}""", "'top_p' must be a number between 0 and 1" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "stop": 5}""", "'stop' must be a string or an array" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "seed": "x"}""", "'seed' must be an integer" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "response_format": {"type": "xml"}}""", "'response_format'" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "response_format": {"type": "json_schema"}}""", "'response_format.json_schema'" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "tools": [{"type": "function", "function": {"name": "f"}}]}""", "'tools'" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "tools": "f"}""", "'tools' must be an array" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": {"top_k": "3"}}""", "avengers.top_k: expected an integer" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": {"top_k": 0}}""", "avengers.top_k: must be at least 1" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": {"adaptive": "yes"}}""", "avengers.adaptive: expected true or false" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": {"switch_threshold": 1.5}}""", "avengers.switch_threshold: must lie in [0, 1]" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": {"topn": 3}}""", "avengers.topn: unknown override" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "tools": {"type": "function"}}""", "'tools' must be an array" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": "x"}""", "'avengers' must be an object" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": 5}""", "'avengers' must be an object" },
        { "/v1/chat/completions", """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": true}""", "'avengers' must be an object" },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task Malformed_requests_get_a_400_in_openai_shape_naming_the_field(string path, string body, string named)
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using WebApplication gateway = await GatewayAsync(backend.BaseUrl, backend.BaseUrl);
        var (status, text) = await PostAsync(gateway, path, Encoding.UTF8.GetBytes(body));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        using JsonDocument document = JsonDocument.Parse(text);
        JsonElement error = document.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains(named, error.GetProperty("message").GetString());
        Assert.Equal(0, backend.Calls);
    }

    [Theory]
    [InlineData("direct")]
    [InlineData("vote")]
    public async Task Sampling_settings_reach_the_backends_as_sent(string strategy)
    {
        var bodies = new System.Collections.Concurrent.ConcurrentBag<string>();
        async Task Capture(int call, Microsoft.AspNetCore.Http.HttpContext c)
        {
            c.Request.EnableBuffering();
            using (var reader = new StreamReader(c.Request.Body, leaveOpen: true)) bodies.Add(await reader.ReadToEndAsync());
            c.Request.Body.Position = 0;
            await ScriptedBackend.AnswerN(c, _ => "{\"answer\": \"B\"}");
        }
        await using var calc = await ScriptedBackend.StartAsync(Capture);
        await using var scribe = await ScriptedBackend.StartAsync(Capture);
        await using WebApplication gateway = await GatewayAsync(calc.BaseUrl, scribe.BaseUrl, strategy);
        string body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["model"] = "avengers",
            ["messages"] = new[] { new { role = "user", content = MathQuestion } },
            ["top_p"] = 0.9,
            ["stop"] = new[] { "\n\nQuestion:" },
            ["seed"] = 7,
            ["presence_penalty"] = 0.5,
            ["frequency_penalty"] = -0.5,
            ["response_format"] = new { type = "json_schema", json_schema = new { name = "answer", schema = new { type = "object", properties = new { answer = new { type = "string" } } } } },
        });
        var (status, text) = await PostAsync(gateway, "/v1/chat/completions", Encoding.UTF8.GetBytes(body));
        Assert.True(status == HttpStatusCode.OK, text);
        Assert.NotEmpty(bodies);
        // The vote asks one model for its samples in one request, built by the gateway itself (OpenAI's n): it must carry them too.
        if (strategy == "vote") Assert.Contains(bodies, b => JsonDocument.Parse(b).RootElement.TryGetProperty("n", out _));
        foreach (string sent in bodies)
        {
            using JsonDocument request = JsonDocument.Parse(sent);
            JsonElement root = request.RootElement;
            Assert.Equal(0.9, root.GetProperty("top_p").GetDouble(), 3);
            Assert.Equal("\n\nQuestion:", root.GetProperty("stop").EnumerateArray().Single().GetString());
            Assert.Equal(7, root.GetProperty("seed").GetInt64());
            Assert.Equal(0.5, root.GetProperty("presence_penalty").GetDouble(), 3);
            Assert.Equal(-0.5, root.GetProperty("frequency_penalty").GetDouble(), 3);
            JsonElement format = root.GetProperty("response_format");
            Assert.Equal("json_schema", format.GetProperty("type").GetString());
            Assert.Equal("string", format.GetProperty("json_schema").GetProperty("schema").GetProperty("properties").GetProperty("answer").GetProperty("type").GetString());
        }
    }

    [Theory]
    [InlineData("GET", "/v1/chat/completions", 405)]
    [InlineData("POST", "/v1/nothing-here", 404)]
    public async Task Errors_the_framework_answers_are_in_openai_shape_too(string method, string path, int status)
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        await using WebApplication gateway = await GatewayAsync(backend.BaseUrl, backend.BaseUrl);
        using var http = new HttpClient();
        using HttpResponseMessage response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), gateway.Urls.First() + path));
        Assert.Equal(status, (int)response.StatusCode);
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_request_error", document.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Invalid_utf8_gets_a_400()
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using WebApplication gateway = await GatewayAsync(backend.BaseUrl, backend.BaseUrl);
        byte[] body = [.. Encoding.UTF8.GetBytes("""{"model": "avengers", "messages": [{"role": "user", "content": "a """), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(""" b"}]}""")];
        var (status, text) = await PostAsync(gateway, "/v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("invalid_request_error", text);
    }

    [Fact]
    public async Task A_backend_that_echoes_its_key_is_named_with_a_status_class_only()
    {
        // calc refuses its key and echoes it, as OpenAI's own error does; scribe answers.
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Fail(c, 401, message: $"Incorrect API key provided: Bearer {Secret}. You can find your key at https://internal.example:8443/keys"));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using WebApplication gateway = await GatewayAsync(calc.BaseUrl, scribe.BaseUrl);
        byte[] request = JsonSerializer.SerializeToUtf8Bytes(new { model = "avengers", messages = new[] { new { role = "user", content = MathQuestion } } });

        var (status, body) = await PostAsync(gateway, "/v1/chat/completions", request);
        Assert.Equal(HttpStatusCode.OK, status);                       // fell back to scribe
        Assert.Contains("HTTP 401 (authentication)", body);             // the note says what happened...
        Assert.DoesNotContain("sk-live", body);                         // ...without the key
        Assert.DoesNotContain("Incorrect API key", body);
        Assert.DoesNotContain("internal.example", body);

        // Direct to calc: a 502 naming the backend, a status class and the request id.
        var (directStatus, directBody) = await PostAsync(gateway, "/v1/chat/completions", JsonSerializer.SerializeToUtf8Bytes(new { model = "calc", messages = new[] { new { role = "user", content = MathQuestion } } }));
        Assert.Equal(HttpStatusCode.BadGateway, directStatus);
        Assert.Contains("calc: HTTP 401", directBody);
        Assert.Contains("chatcmpl-", directBody);
        Assert.DoesNotContain("sk-live", directBody);
    }

    [Fact]
    public async Task Internal_addresses_stay_out_of_errors_and_the_keyless_readiness_probe()
    {
        string closed = ClosedPortUrl();
        string port = new Uri(closed).Port.ToString();
        await using WebApplication gateway = await GatewayAsync(closed, closed);
        var (status, body) = await PostAsync(gateway, "/v1/chat/completions", JsonSerializer.SerializeToUtf8Bytes(new { model = "avengers", messages = new[] { new { role = "user", content = MathQuestion } } }));
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Contains("connection failed", body);
        Assert.DoesNotContain(port, body);

        using var http = new HttpClient();
        using HttpResponseMessage readyResponse = await http.GetAsync(gateway.Urls.First() + "/health/ready");
        string readyBody = await readyResponse.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyResponse.StatusCode);
        Assert.DoesNotContain(port, readyBody);
        Assert.DoesNotContain("refused", readyBody, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_request_the_backend_rejects_for_good_is_not_retried_on_every_model()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Fail(c, 400, message: "context length exceeded"));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Fail(c, 400, message: "context length exceeded"));
        await using WebApplication gateway = await GatewayAsync(calc.BaseUrl, scribe.BaseUrl);
        var (status, body) = await PostAsync(gateway, "/v1/chat/completions", JsonSerializer.SerializeToUtf8Bytes(new { model = "avengers", messages = new[] { new { role = "user", content = MathQuestion } } }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("rejected the request: HTTP 400", body);
        Assert.Equal(1, calc.Calls + scribe.Calls);
        Assert.True(body.Length < 400, body);
    }

    [Fact]
    public async Task A_backend_that_does_not_serve_its_model_is_skipped_and_readiness_names_it()
    {
        // vLLM's answer for a model it does not serve: 404 "model does not exist". The other backend answers.
        await using var misconfigured = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Fail(c, 404, message: "The model `calc` does not exist."));
        await using var healthy = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using WebApplication models = await Loopback.StartAsync(app => app.MapGet("/v1/models", () => Results.Json(new { data = new[] { new { id = "some-other-model" } } })));
        await using WebApplication gateway = await GatewayAsync(models.Urls.First() + "/v1", healthy.BaseUrl);
        // The chat calls go to the scripted 404 (the models list above only serves the readiness probe).
        await using WebApplication gateway404 = await GatewayAsync(misconfigured.BaseUrl, healthy.BaseUrl);

        foreach (string model in new[] { "avengers", "avengers-direct" })
        {
            var (status, body) = await PostAsync(gateway404, "/v1/chat/completions", JsonSerializer.SerializeToUtf8Bytes(new { model, messages = new[] { new { role = "user", content = MathQuestion } } }));
            Assert.True(status == HttpStatusCode.OK, body);
            Assert.Contains("(B)", body);
        }
        Assert.True(misconfigured.Calls >= 1, "the router ranks calc first on a math question");

        using var http = new HttpClient();
        using HttpResponseMessage ready = await http.GetAsync(gateway.Urls.First() + "/health/ready");
        string readyBody = await ready.Content.ReadAsStringAsync();
        Assert.Contains("does not serve model 'calc'", readyBody);
        using JsonDocument json = JsonDocument.Parse(readyBody);
        Assert.Equal(1, json.RootElement.GetProperty("reachable").GetInt32());
    }

    [Fact]
    public async Task A_request_with_several_bad_overrides_is_told_every_problem_at_once()
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        await using WebApplication gateway = await GatewayAsync(backend.BaseUrl, backend.BaseUrl);
        var (status, body) = await PostAsync(gateway, "/v1/chat/completions", Encoding.UTF8.GetBytes(
            """{"model": "avengers", "messages": [{"role": "user", "content": "q"}], "avengers": {"n": 0, "top_k": "x", "adaptive": 1, "colour": "red"}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        foreach (string problem in new[] { "avengers.colour: unknown override", "avengers.top_k: expected an integer", "avengers.adaptive: expected true or false", "avengers.n: must lie in [1, 64]" })
            Assert.Contains(problem, body);
    }

    [Fact]
    public async Task Top_k_adaptive_and_switch_threshold_overrides_apply()
    {
        // One call per sample (no n), the fourth slow: an adaptive vote would stop after three agreeing answers.
        await using var backend = await ScriptedBackend.StartAsync(async (i, c) => { if (i == 3) await Task.Delay(800); await ScriptedBackend.Answer(c, "The answer is (B)."); });
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            Strategy = new StrategyConfig { Default = "vote" },
            Backends = [new BackendConfig { Name = "calc", BaseUrl = backend.BaseUrl, SupportsN = false }, new BackendConfig { Name = "scribe", BaseUrl = backend.BaseUrl, SupportsN = false }],
        };
        await using WebApplication gateway = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await gateway.StartAsync();
        // adaptive false: every one of the 4 samples is asked even though the first ones agree.
        var (status, body) = await PostAsync(gateway, "/v1/chat/completions", Encoding.UTF8.GetBytes(
            """{"model": "avengers", "messages": [{"role": "user", "content": "What is 2 plus 2?"}], "avengers": {"n": 4, "top_n": 1, "top_k": 2, "adaptive": false, "switch_threshold": 0.9}}"""));
        Assert.True(status == HttpStatusCode.OK, body);
        using JsonDocument json = JsonDocument.Parse(body);
        Assert.Equal(4, json.RootElement.GetProperty("avengers").GetProperty("samples_used").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("avengers").GetProperty("samples_saved").GetInt32());
    }
}
