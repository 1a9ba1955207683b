using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Avengers.Calibration;
using Avengers.Data;
using Avengers.Embedding;
using Avengers.Evaluation;
using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Avengers.Testbed.Replay;
using Microsoft.AspNetCore.Builder;
using OpenAI;
using OpenAI.Chat;
using Avengers.Answers;

namespace Avengers.Tests.Server;

/// <summary>
/// Real HTTP on 127.0.0.1: a replay server plays two recorded models, the gateway routes and votes
/// over them, and the official OpenAI .NET client calls the gateway.
/// </summary>
[Collection(nameof(TimingSensitive))] // reads /metrics
public sealed class GatewayEndToEndTests : IAsyncLifetime
{
    internal static readonly string[] MathQuestions =
    [
        "What is 12 times 7? Options: (A) 74 (B) 84 (C) 94 (D) 104", "Compute 45 plus 19. Options: (A) 54 (B) 64 (C) 74 (D) 84",
        "How much is 81 divided by 9? Options: (A) 7 (B) 8 (C) 9 (D) 10", "Subtract 13 from 50. Options: (A) 27 (B) 37 (C) 47 (D) 57",
        "What is 6 squared? Options: (A) 26 (B) 36 (C) 46 (D) 56", "Add 101 and 202. Options: (A) 203 (B) 303 (C) 403 (D) 503",
    ];
    internal static readonly string[] HistoryQuestions =
    [
        "Who was the first emperor of Rome? Options: (A) Nero (B) Augustus (C) Caesar (D) Trajan", "In which year did the Berlin Wall fall? Options: (A) 1979 (B) 1989 (C) 1999 (D) 2009",
        "Which empire built Machu Picchu? Options: (A) Aztec (B) Inca (C) Maya (D) Olmec", "Who wrote the Magna Carta's first version? Options: (A) barons (B) monks (C) kings (D) popes",
        "Where was the Treaty of Versailles signed? Options: (A) France (B) Spain (C) Italy (D) Belgium", "Which dynasty built the Forbidden City? Options: (A) Han (B) Ming (C) Tang (D) Song",
    ];

    private string _dir = "";
    private EmbeddingStack _embedding = null!;
    private WebApplication _replay = null!;
    private WebApplication _gateway = null!;
    private string _gatewayUrl = "";
    private const string Key = "test-gateway-key";

    public async Task InitializeAsync()
    {
        _dir = TestData.TempDir();
        _embedding = await EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse("minilm"), null);
        (Benchmark benchmark, string router) = await CalibrateAsync(_dir, _embedding);

        _replay = ReplayServer.Build(benchmark, "http://127.0.0.1:0");
        await _replay.StartAsync();
        string replayUrl = _replay.Urls.First();

        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = router,
            Embedding = "minilm",
            ApiKeysEnv = ["AVENGERS_TEST_KEY"],
            Strategy = new StrategyConfig { Default = "vote", Samples = 4, TopN = 1 },
            Backends = [new BackendConfig { Name = "calc", BaseUrl = replayUrl + "/v1" }, new BackendConfig { Name = "scribe", BaseUrl = replayUrl + "/v1" }],
        };
        _gateway = GatewayHost.Build(config, _embedding, name => name == "AVENGERS_TEST_KEY" ? Key : null);
        await _gateway.StartAsync();
        _gatewayUrl = _gateway.Urls.First();
    }

    /// <summary>
    /// Writes a small benchmark where "calc" is right on math and "scribe" on history, calibrates a
    /// router on it with the real MiniLM model (K = 2), and returns both.
    /// </summary>
    internal static async Task<(Benchmark Benchmark, string Router)> CalibrateAsync(string dir, EmbeddingStack embedding, AnswerType answerType = AnswerType.Choice)
    {
        var records = new List<BenchmarkRecord>();
        int id = 0;
        foreach (string q in MathQuestions) records.Add(Record(id++, "math", q, right: "calc", "B", answerType));
        foreach (string q in HistoryQuestions) records.Add(Record(id++, "history", q, right: "scribe", "B", answerType));
        string bench = Path.Combine(dir, "bench.jsonl");
        BenchmarkWriter.Write(bench, records);
        Benchmark benchmark = BenchmarkReader.Read(bench);

        PreparedRecord[] prepared = PreparedRecord.PrepareAll(benchmark.Records, benchmark.Models);
        var correctness = new CorrectnessMatrix(benchmark.Models, prepared.Length);
        for (int i = 0; i < prepared.Length; i++)
            for (int j = 0; j < benchmark.Models.Count; j++) correctness[i, j] = prepared[i].Correctness(benchmark.Models[j]);
        var vectors = await EmbeddingRunner.EmbedAllAsync(embedding.Generator, benchmark.Records.Select(r => r.Query).ToList());
        // Other answer types are stored per cluster, so the live vote reads answers by them (a choice router is detected from the texts).
        CalibrationSamples? samples = answerType == AnswerType.Choice ? null : new CalibrationSamples(
            Enumerable.Range(0, prepared.Length).Select(_ => new string?[]?[] { ["x"], ["x"] }).ToArray(),
            Enumerable.Range(0, prepared.Length).Select(i => new double?[]?[] { [correctness[i, 0]], [correctness[i, 1]] }).ToArray(),
            Enumerable.Repeat(4, prepared.Length).ToArray(), Enumerable.Repeat(answerType, prepared.Length).ToArray());
        CalibrationResult calibrated = Calibrator.Calibrate(vectors, correctness, new CalibrationOptions { K = 2 },
            new RouterManifest.EmbeddingInfo(embedding.ModelId, embedding.Dimension), new RouterManifest.DataInfo("bench.jsonl", benchmark.DataHash, prepared.Length, 0),
            samples: samples);
        string router = Path.Combine(dir, "router.avengers");
        calibrated.Artifact.Save(router);
        return (benchmark, router);
    }

    private static BenchmarkRecord Record(int id, string dataset, string query, string right, string gold, AnswerType answerType)
    {
        string wrong = right == "calc" ? "scribe" : "calc";
        return new BenchmarkRecord
        {
            Id = id.ToString(),
            Dataset = dataset,
            Query = query,
            AnswerType = answerType,
            Gold = gold,
            Outputs = new Dictionary<string, IReadOnlyList<Sample>>
            {
                // The right model is right on 2 of its 3 samples; the wrong one says (D) then (C).
                [right] = [new Sample($"Reasoning... The answer is ({gold})."), new Sample("Hmm. The answer is (A)."), new Sample($"So the answer is ({gold}).")],
                [wrong] = [new Sample("The answer is (D)."), new Sample("The answer is (C).")],
            },
        };
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _replay.DisposeAsync();
        _embedding.Dispose();
    }

    private ChatClient Client(string model = "avengers", string key = Key)
        => new(model, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(_gatewayUrl + "/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });

    [Fact]
    public async Task Official_client_gets_the_voted_answer_and_the_explanation()
    {
        ClientResult<ChatCompletion> result = await Client().CompleteChatAsync([new UserChatMessage(MathQuestions[1])]);
        // calc's samples cycle (B), (A), (B), ...: the vote returns a (B) response.
        Assert.Contains("answer is (B)", result.Value.Content[0].Text);

        var raw = result.GetRawResponse();
        Assert.True(raw.Headers.TryGetValue("x-avengers-model", out string? model));
        Assert.Equal("calc", model);
        Assert.True(raw.Headers.TryGetValue("x-avengers-winner", out string? winner));
        Assert.Equal("B", winner);
        using JsonDocument body = JsonDocument.Parse(raw.Content);
        JsonElement avengers = body.RootElement.GetProperty("avengers");
        Assert.Equal("vote", avengers.GetProperty("strategy").GetString());
        Assert.Equal("calc", avengers.GetProperty("models")[0].GetProperty("model").GetString());
        Assert.True(avengers.GetProperty("samples_used").GetInt32() >= 3);
    }

    [Fact]
    public async Task History_questions_go_to_the_other_model()
    {
        ClientResult<ChatCompletion> result = await Client().CompleteChatAsync([new UserChatMessage(HistoryQuestions[2])]);
        result.GetRawResponse().Headers.TryGetValue("x-avengers-model", out string? model);
        Assert.Equal("scribe", model);
        Assert.Contains("(B)", result.Value.Content[0].Text);
    }

    [Fact]
    public async Task Direct_streaming_passes_the_backend_tokens_through()
    {
        var text = new StringBuilder();
        await foreach (StreamingChatCompletionUpdate update in Client("avengers-direct").CompleteChatStreamingAsync([new UserChatMessage(MathQuestions[0])]))
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
        Assert.Contains("The answer is", text.ToString());
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task The_authorization_scheme_is_case_insensitive(string scheme)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"{scheme} {Key}");
        using HttpResponseMessage response = await http.GetAsync(_gatewayUrl + "/v1/models");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Pass_through_to_a_backend_model_and_model_listing()
    {
        ClientResult<ChatCompletion> result = await Client("scribe").CompleteChatAsync([new UserChatMessage(MathQuestions[0])]);
        Assert.Equal("The answer is (D).", result.Value.Content[0].Text);

        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        string models = await http.GetStringAsync(_gatewayUrl + "/v1/models");
        Assert.Contains("\"ready\":true", await new HttpClient().GetStringAsync(_gatewayUrl + "/health"));      // no key needed
        using (JsonDocument ready = JsonDocument.Parse(await new HttpClient().GetStringAsync(_gatewayUrl + "/health/ready")))
        {
            Assert.Equal("ok", ready.RootElement.GetProperty("status").GetString());
            Assert.Equal(2, ready.RootElement.GetProperty("reachable").GetInt32());
        }
        foreach (string id in new[] { "avengers", "avengers-direct", "avengers-vote", "calc", "scribe" }) Assert.Contains($"\"{id}\"", models);
    }

    [Fact]
    public async Task Wrong_or_missing_key_gets_401_in_openai_form()
    {
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client(key: "nope").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, error.Status);
        using var http = new HttpClient();
        HttpResponseMessage response = await http.PostAsync(_gatewayUrl + "/v1/chat/completions", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_api_key", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain(Key, body.RootElement.GetRawText());
    }

    [Theory]
    [InlineData("{not json", null, "malformed JSON")]
    [InlineData("""{"model": "avengers", "messages": []}""", "messages", "at least one message")]
    [InlineData("""{"model": "gpt-99", "messages": [{"role": "user", "content": "hi"}]}""", "model", "unknown model 'gpt-99'")]
    [InlineData("""{"messages": [{"role": "user", "content": "hi"}]}""", "model", "'model' is required")]
    [InlineData("""{"model": "avengers", "messages": [{"role": "user", "content": "hi"}], "avengers": {"strategy": "shout"}}""", "avengers", "avengers.strategy: expected one of")]
    public async Task Bad_requests_get_400_naming_the_problem(string body, string? param, string message)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        HttpResponseMessage response = await http.PostAsync(_gatewayUrl + "/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement error = json.RootElement.GetProperty("error");
        Assert.Contains(message, error.GetProperty("message").GetString());
        if (param is not null) Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Oversized_body_is_refused()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        string huge = new string('x', 2 << 20);
        HttpResponseMessage response = await http.PostAsync(_gatewayUrl + "/v1/chat/completions",
            new StringContent($$"""{"model": "avengers", "messages": [{"role": "user", "content": "{{huge}}"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("exceeds the limit", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Route_endpoint_explains_without_generating()
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        HttpResponseMessage response = await http.PostAsync(_gatewayUrl + "/v1/route", new StringContent(JsonSerializer.Serialize(new { query = MathQuestions[3] }), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("calc", json.RootElement.GetProperty("models")[0].GetProperty("model").GetString());
        // The blended decision, as the CLI's route shows it: named clusters with weights, and the strategy the policy applies.
        Assert.Matches(@"^\d+:\d+$", json.RootElement.GetProperty("cluster_name").GetString()); // partition:cluster (this router has several partitions)
        JsonElement first = json.RootElement.GetProperty("clusters")[0];
        Assert.True(first.TryGetProperty("name", out _) && first.TryGetProperty("weight", out _));
        Assert.Equal("vote", json.RootElement.GetProperty("strategy").GetString());
    }

    [Fact]
    public async Task Replay_server_answers_unknown_queries_with_an_openai_404()
    {
        var replay = new ChatClient("calc", new ApiKeyCredential("EMPTY"), new OpenAIClientOptions { Endpoint = new Uri(_replay.Urls.First() + "/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });
        var error = await Assert.ThrowsAsync<ClientResultException>(() => replay.CompleteChatAsync([new UserChatMessage("a question nobody recorded")]));
        Assert.Equal(404, error.Status);
        Assert.Contains("unknown_query", error.GetRawResponse()!.Content.ToString());
    }

    [Fact]
    public void Config_validation_reports_every_problem_with_its_path()
    {
        var config = new GatewayConfig
        {
            Listen = "not a url",
            Router = Path.Combine(_dir, "missing.avengers"),
            ApiKeysEnv = ["NOT_SET_ANYWHERE"],
            Backends =
            [
                new BackendConfig { Name = "calc", BaseUrl = "ftp://x", PriceInputPerMillion = -1, PriceOutputPerMillion = 2 },
                new BackendConfig { Name = "calc", BaseUrl = "http://ok/v1", ApiKeyEnv = "ALSO_NOT_SET", PriceInputPerMillion = 1 },
            ],
        };
        IReadOnlyList<string> problems = GatewayConfigLoader.Validate(config, _ => null);
        Assert.Contains(problems, p => p.StartsWith("listen:"));
        Assert.Contains(problems, p => p.StartsWith("router:") && p.Contains("not found"));
        Assert.Contains(problems, p => p.StartsWith("api_keys_env[0]:"));
        Assert.Contains(problems, p => p.StartsWith("backends[0].base_url:"));
        Assert.Contains(problems, p => p.StartsWith("backends[1].name:") && p.Contains("used twice"));
        Assert.Contains(problems, p => p.StartsWith("backends[1].api_key_env:") && p.Contains("ALSO_NOT_SET"));
        Assert.Contains(problems, p => p.StartsWith("backends[0].price_input_per_million: must be a finite number >= 0"));
        Assert.Contains(problems, p => p.StartsWith("backends[1]: give both price_input_per_million and price_output_per_million"));

        var unknown = new GatewayConfig { Router = Path.Combine(_dir, "router.avengers"), Backends = [new BackendConfig { Name = "ghost", BaseUrl = "http://x/v1" }] };
        Assert.Contains(GatewayConfigLoader.Validate(unknown, _ => null), p => p.StartsWith("backends[0].name: 'ghost' is not a model of the router artifact"));
    }

    [Fact]
    public async Task Metrics_are_exported_in_prometheus_format()
    {
        await Client().CompleteChatAsync([new UserChatMessage(MathQuestions[2])]);
        using var http = new HttpClient();
        string metrics = "";
        // The exporter caches a scrape briefly; poll until the request shows up.
        for (int i = 0; i < 20 && !metrics.Contains("avengers_decisions"); i++)
        {
            metrics = await http.GetStringAsync(_gatewayUrl + "/metrics");
            if (!metrics.Contains("avengers_decisions")) await Task.Delay(500);
        }
        Assert.Contains("avengers_decisions", metrics);
        Assert.Contains("model=\"calc\"", metrics);
        Assert.Contains("avengers_routing_duration", metrics);
        Assert.Contains("avengers_gateway_requests", metrics);
        Assert.Contains("avengers_samples", metrics);
    }
}
