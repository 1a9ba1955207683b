using System.Net;
using System.Text;
using System.Text.Json;
using Avengers.Embedding;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;
using Avengers.Answers;

namespace Avengers.Tests.Server;

/// <summary>A router whose clusters hold exact-answer questions, so the vote's winner is free text from the backends.</summary>
public sealed class ExactRouterFixture : IAsyncLifetime
{
    public EmbeddingStack Embedding { get; private set; } = null!;
    public string Router { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Embedding = await EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse("minilm"), null);
        (_, Router) = await GatewayEndToEndTests.CalibrateAsync(TestData.TempDir(), Embedding, AnswerType.Exact);
    }

    public Task DisposeAsync()
    {
        Embedding.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Header values carry only visible ASCII: answers in any script, emoji, control characters or CR/LF never make a 500.</summary>
public sealed class HeaderValueTests(ExactRouterFixture fixture) : IClassFixture<ExactRouterFixture>
{
    public static TheoryData<string> Answers => new()
    {
        "café", "é☃", "a\u0001b", "line\r\nInjected: yes", "答案是四十二", "ответ", "🙂👍🏽", "tab\there", "100%", "%41", " padded ",
        new string('x', 1000), string.Concat(Enumerable.Repeat("é", 300)), "\u007f\u0085\u2028",
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void Encoded_values_are_visible_ascii_and_decode_back(string text)
    {
        string encoded = HeaderValue.Encode(text);
        Assert.All(encoded, c => Assert.InRange(c, '!', '~'));
        string decoded = Uri.UnescapeDataString(encoded);
        if (Encoding.UTF8.GetByteCount(text) <= HeaderValue.MaxBytes) Assert.Equal(text, decoded);
        else
        {
            // Cut on a character boundary, never mid-sequence.
            Assert.StartsWith(decoded, text, StringComparison.Ordinal);
            Assert.InRange(Encoding.UTF8.GetByteCount(decoded), HeaderValue.MaxBytes - 3, HeaderValue.MaxBytes);
        }
    }

    [Fact]
    public void Random_strings_fuzzed_never_give_an_unsafe_header()
    {
        var random = new Random(16);
        for (int i = 0; i < 2000; i++)
        {
            var builder = new StringBuilder();
            int length = random.Next(0, 400);
            for (int j = 0; j < length; j++)
            {
                int code = random.Next(4) switch { 0 => random.Next(0, 0x80), 1 => random.Next(0x80, 0x800), 2 => random.Next(0x800, 0xD800), _ => random.Next(0x10000, 0x110000) };
                builder.Append(char.ConvertFromUtf32(code));
            }
            string text = builder.ToString();
            string encoded = HeaderValue.Encode(text);
            Assert.All(encoded, c => Assert.InRange(c, '!', '~'));
            Assert.StartsWith(Uri.UnescapeDataString(encoded), text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("The answer is café.", "café", false)]
    [InlineData("The answer is café.", "café", true)]
    [InlineData("The answer is é☃.", "é☃", false)]
    [InlineData("The answer is a\u0001b.", "a\u0001b", true)]
    [InlineData("The answer is 答案 🙂.", "答案 🙂", false)]
    public async Task A_voted_answer_outside_ascii_is_a_200_with_the_answer_in_the_body_and_encoded_in_the_header(string response, string answer, bool stream)
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, response));
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            Strategy = new StrategyConfig { Default = "vote", Samples = 3, TopN = 2 },
            Backends =
            [
                new BackendConfig { Name = "calc", BaseUrl = backend.BaseUrl, Retries = 0 },
                new BackendConfig { Name = "scribe", BaseUrl = backend.BaseUrl, Retries = 0 },
            ],
        };
        await using WebApplication gateway = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await gateway.StartAsync();

        using var http = new HttpClient();
        string body = JsonSerializer.Serialize(new { model = "avengers", stream, messages = new[] { new { role = "user", content = GatewayEndToEndTests.MathQuestions[0] } } });
        using HttpResponseMessage reply = await http.PostAsync(gateway.Urls.First() + "/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        string text = await reply.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.True(reply.Headers.Contains("x-avengers-winner"), string.Join("\n", reply.Headers.Select(h => h.Key + ": " + string.Join(",", h.Value))) + "\n" + text);
        string winner = Uri.UnescapeDataString(Assert.Single(reply.Headers.GetValues("x-avengers-winner")));
        Assert.Equal(answer, winner);
        // The body carries the answer as the backend wrote it (JSON escapes decoded).
        if (stream) Assert.Contains("[DONE]", text);
        else
        {
            using JsonDocument json = JsonDocument.Parse(text);
            Assert.Equal(response, json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        }
    }

    [Fact]
    public void The_scores_header_keeps_each_model_one_item_whatever_its_name()
    {
        Avengers.Routing.RankedModel[] models =
        [
            new("a,b;c=d é", 0.5, 0.5, 0.4, 0.6, 10) { CalibratedScore = 0.55, LiveAnswered = 3.25, CalibrationScale = 0.2 },
            new("plain", 0.25, 0.25, 0.2, 0.3, 10),
        ];
        Assert.Equal("a%2Cb%3Bc%3Dd%20%C3%A9;score=0.5000;calibrated=0.5500;live=3.2;scale=0.200, plain;score=0.2500", ChatCompletionsEndpoint.Scores(models));
    }
}
