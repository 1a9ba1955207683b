using System.Text.Json;

namespace Avengers.Testbed.Faults;

/// <summary>
/// An OpenAI-compatible backend on loopback that misbehaves on purpose, for fault injection: the request's
/// <c>model</c> names the fault (<c>ok</c>, <c>http500</c>, <c>hang</c>, ...). A test double for
/// <c>avengers faults</c> and the tests, never a backend for real use.
/// </summary>
public static class FaultBackend
{
    /// <summary>Every fault, in the order the matrix reports them. "ok" answers properly.</summary>
    public static readonly IReadOnlyList<string> Faults =
        ["http500", "http429", "hang", "close", "badjson", "html", "ssecut", "ssenodone", "ssestall", "slow", "key401"];

    /// <summary>The key the "key401" fault echoes; it must never reach a gateway client.</summary>
    public const string EchoedSecret = "sk-fault-injected-9f8e7d6c5b4a3210";

    public const string Answer = "Let me think. The answer is (B).";

    public static async Task<WebApplication> StartAsync(TimeSpan slow)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.None);
        WebApplication app = builder.Build();
        app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = "ok", @object = "model" } } }));
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            string fault = body.RootElement.TryGetProperty("model", out JsonElement m) ? m.GetString() ?? "ok" : "ok";
            // "random:0.2": one fault in five, drawn uniformly from every fault; the rest answer properly.
            if (fault.StartsWith("random:", StringComparison.Ordinal) && double.TryParse(fault["random:".Length..], System.Globalization.CultureInfo.InvariantCulture, out double rate))
                fault = Random.Shared.NextDouble() < rate ? Faults[Random.Shared.Next(Faults.Count)] : "ok";
            bool stream = body.RootElement.TryGetProperty("stream", out JsonElement s) && s.ValueKind == JsonValueKind.True;
            int n = body.RootElement.TryGetProperty("n", out JsonElement e) && e.ValueKind == JsonValueKind.Number ? e.GetInt32() : 1;
            try { await PlayAsync(context, fault, stream, n, slow); }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested) { }
        });
        await app.StartAsync();
        return app;
    }

    private static async Task PlayAsync(HttpContext context, string fault, bool stream, int n, TimeSpan slow)
    {
        CancellationToken aborted = context.RequestAborted;
        HttpResponse response = context.Response;
        switch (fault)
        {
            case "http500": await Error(response, 500, "the model crashed"); return;
            case "http429":
                response.Headers.RetryAfter = "1";
                await Error(response, 429, "rate limited");
                return;
            case "key401": await Error(response, 401, $"Incorrect API key provided: Bearer {EchoedSecret}. Internal auth at http://10.1.2.3:8443/keys"); return;
            case "hang": await Task.Delay(Timeout.Infinite, aborted); return;
            case "badjson":
                response.ContentType = stream ? "text/event-stream" : "application/json";
                await response.WriteAsync(stream ? "data: {\"choices\": [{\"delta\": {\"content\": \"The ans\n\ndata: [DONE]\n\n" : "{\"id\": \"x\", \"choices\": [", aborted);
                return;
            case "html":
                response.ContentType = "text/html";
                await response.WriteAsync("<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>", aborted);
                return;
            case "close":
                response.ContentType = stream ? "text/event-stream" : "application/json";
                // Cut inside the first event, so no token can have reached the client: the outcome is then always a fallback
                // (a cut after tokens is "ssecut"); a whole first event would race the reset that discards unread bytes.
                await response.WriteAsync(stream ? Chunk("The ")[..24] : "{\"id\": \"x\", \"object\": \"chat.completion\", \"choi", aborted);
                await response.Body.FlushAsync(aborted);
                context.Abort();
                return;
            case "slow":
                await Task.Delay(slow, aborted);
                break;
        }
        if (!stream)
        {
            response.ContentType = "application/json";
            await response.WriteAsync(JsonSerializer.Serialize(new
            {
                id = "chatcmpl-fault",
                @object = "chat.completion",
                created = 0,
                model = fault,
                choices = Enumerable.Range(0, n).Select(i => new { index = i, message = new { role = "assistant", content = Answer }, finish_reason = "stop" }).ToArray(),
                usage = new { prompt_tokens = 10, completion_tokens = 8 * n, total_tokens = 10 + 8 * n },
            }), aborted);
            return;
        }
        response.ContentType = "text/event-stream";
        string[] pieces = ["Let me think. ", "The answer ", "is (B)."];
        for (int i = 0; i < pieces.Length; i++)
        {
            if (fault == "ssecut" && i == 2) { context.Abort(); return; }
            if (fault == "ssestall" && i == 2) { await Task.Delay(Timeout.Infinite, aborted); return; }
            await response.WriteAsync(Chunk(pieces[i]), aborted);
            await response.Body.FlushAsync(aborted);
        }
        await response.WriteAsync(Chunk(null, "stop"), aborted);
        if (fault != "ssenodone") await response.WriteAsync("data: [DONE]\n\n", aborted);
    }

    private static string Chunk(string? content, string? finish = null) => "data: " + JsonSerializer.Serialize(new
    {
        id = "chatcmpl-fault",
        @object = "chat.completion.chunk",
        created = 0,
        model = "fault",
        choices = new[] { new { index = 0, delta = new { content }, finish_reason = finish } },
    }) + "\n\n";

    private static Task Error(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        return response.WriteAsync(JsonSerializer.Serialize(new { error = new { message, type = "server_error" } }));
    }
}
