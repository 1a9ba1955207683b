using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;

namespace Avengers.Tests.Server;

/// <summary>
/// A seeded, bounded request fuzzer: thousands of requests mutated from valid ones (wrong types, removed and
/// added fields, truncations, Unicode edge cases, huge numbers, deep nesting, stray bytes). Not one may get a
/// 500 or crash the gateway, and every error must be in OpenAI's shape.
/// </summary>
public sealed class RequestFuzzTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    private const int Requests = 2500;

    private static readonly string[] Templates =
    [
        """{"model": "avengers", "messages": [{"role": "user", "content": "What is 12 times 7? Options: (A) 74 (B) 84"}]}""",
        """{"model": "avengers", "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "Who was the first emperor of Rome?"}], "temperature": 0.2, "max_tokens": 50, "avengers": {"strategy": "vote", "n": 3, "top_n": 2}}""",
        """{"model": "avengers-vote", "stream": true, "n": 2, "messages": [{"role": "user", "content": [{"type": "text", "text": "Add 101 and 202."}, {"type": "image_url", "image_url": {"url": "http://x/y.png"}}]}]}""",
        """{"model": "calc", "messages": [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "hi"}, {"role": "user", "content": "Compute 45 plus 19."}], "stream_options": {"include_usage": true}}""",
        """{"model": "avengers", "messages": [{"role": "user", "content": "Where was the Treaty of Versailles signed?"}], "avengers": {"timeout_seconds": 5, "strategy": "switch"}}""",
    ];

    private static readonly Func<Random, JsonNode?>[] Values =
    [
        _ => null, _ => JsonValue.Create(true), _ => JsonValue.Create(5), _ => JsonValue.Create(-1), _ => JsonValue.Create(0),
        _ => JsonValue.Create(1.5e300), _ => JsonValue.Create(long.MaxValue), _ => JsonValue.Create(""), _ => JsonValue.Create("x"),
        _ => JsonValue.Create("vote"), _ => JsonValue.Create("user"), _ => new JsonArray(), _ => new JsonObject(), _ => new JsonArray(1, 2),
        _ => new JsonObject { ["type"] = 5 }, _ => new JsonArray(new JsonObject { ["type"] = "text", ["text"] = 5 }),
        _ => JsonValue.Create(new string('x', 20_000)), _ => JsonValue.Create("a\u0000b"), _ => JsonValue.Create("\u202e\ufeff emoji \U0001F600"),
        r => Nested(r.Next(50, 300)), _ => new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "   " }),
    ];

    private static JsonNode Nested(int depth)
    {
        JsonNode node = new JsonArray();
        for (int i = 0; i < depth; i++) node = new JsonArray(node);
        return node;
    }

    /// <summary>One mutated body: a JSON edit on a random path, then sometimes a textual corruption.</summary>
    private static byte[] Mutate(Random random)
    {
        JsonNode root = JsonNode.Parse(Templates[random.Next(Templates.Length)])!;
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            List<(JsonNode Parent, object Key)> slots = [];
            Collect(root, slots);
            if (slots.Count == 0) break;
            var (parent, key) = slots[random.Next(slots.Count)];
            switch (random.Next(3))
            {
                case 0 when parent is JsonObject obj: obj.Remove((string)key); break;
                case 1 when parent is JsonObject obj: obj[$"extra{random.Next(5)}"] = Values[random.Next(Values.Length)](random); break;
                default:
                    JsonNode? value = Values[random.Next(Values.Length)](random);
                    if (parent is JsonObject o) o[(string)key] = value;
                    else if (parent is JsonArray a) a[(int)key] = value;
                    break;
            }
        }
        byte[] bytes = Encoding.UTF8.GetBytes(root.ToJsonString());
        switch (random.Next(8))
        {
            case 0: return bytes[..random.Next(bytes.Length)];                                   // truncated
            case 1: { var b = (byte[])bytes.Clone(); b[random.Next(b.Length)] = (byte)random.Next(0x80, 0x100); return b; } // invalid UTF-8
            case 2: return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\"content\": \"", "\"content\": \"\\ud800", StringComparison.Ordinal)); // lone surrogate
            case 3: return [.. bytes, .. "garbage"u8];
            default: return bytes;
        }
    }

    private static void Collect(JsonNode node, List<(JsonNode, object)> slots)
    {
        if (slots.Count > 200) return;
        if (node is JsonObject obj)
            foreach (var (key, child) in obj.ToList()) { slots.Add((obj, key)); if (child is not null) Collect(child, slots); }
        else if (node is JsonArray array)
            for (int i = 0; i < array.Count; i++) { slots.Add((array, i)); if (array[i] is JsonNode child) Collect(child, slots); }
    }

    [Fact]
    public async Task Thousands_of_mutated_requests_get_no_500_and_every_error_is_in_openai_shape()
    {
        await using var backend = await ScriptedBackend.StartAsync(async (_, c) =>
        {
            if (await ScriptedBackend.IsStreamingAsync(c)) await ScriptedBackend.Stream(c, ["The answer ", "is (B)."]);
            else await ScriptedBackend.AnswerN(c, _ => "The answer is (B).");
        });
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            RequestTimeoutSeconds = 20,
            Strategy = new StrategyConfig { Samples = 3 },
            Backends = [new BackendConfig { Name = "calc", BaseUrl = backend.BaseUrl }, new BackendConfig { Name = "scribe", BaseUrl = backend.BaseUrl }],
        };
        await using WebApplication gateway = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await gateway.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Urls.First()), Timeout = TimeSpan.FromSeconds(60) };

        var random = new Random(20261129);
        var statuses = new Dictionary<int, int>();
        var failures = new List<string>();
        for (int i = 0; i < Requests; i++)
        {
            byte[] body = Mutate(random);
            string path = random.Next(10) == 0 ? "/v1/route" : "/v1/chat/completions";
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using HttpResponseMessage response = await http.PostAsync(path, content);
            int status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            string text = await response.Content.ReadAsStringAsync();
            if (status >= 500) failures.Add($"{status} for {Encoding.UTF8.GetString(body)[..Math.Min(300, body.Length)]}: {text[..Math.Min(200, text.Length)]}");
            else if (status >= 400 && !IsOpenAIError(text)) failures.Add($"{status} not in OpenAI's shape: {text[..Math.Min(200, text.Length)]}");
        }
        string summary = string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"));
        Assert.True(failures.Count == 0, $"{failures.Count} bad answers ({summary}):\n" + string.Join("\n", failures.Take(8)));
        Assert.True(statuses.GetValueOrDefault(200) > 100 && statuses.GetValueOrDefault(400) > 100, summary); // both valid and invalid requests were exercised

        // Still serving.
        using HttpResponseMessage health = await http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static bool IsOpenAIError(string text)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("error", out JsonElement error)
                && error.TryGetProperty("message", out JsonElement message) && message.ValueKind == JsonValueKind.String
                && error.TryGetProperty("type", out JsonElement type) && type.ValueKind == JsonValueKind.String;
        }
        catch (JsonException) { return false; }
    }
}
