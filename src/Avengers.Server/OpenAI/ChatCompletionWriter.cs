using System.Text.Json;

namespace Avengers.Server.OpenAI;

/// <summary>Writes chat completions (JSON and server-sent events) in the OpenAI wire format.</summary>
public static class ChatCompletionWriter
{
    /// <summary>Null fields omitted; NaN (an accuracy with no data behind it) written as "NaN" instead of failing.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static string NewId() => "chatcmpl-" + Guid.NewGuid().ToString("N")[..24];

    public static object Completion(string id, string model, IReadOnlyList<string> texts, object? avengers = null, int promptTokens = 0, int completionTokens = 0) => new
    {
        id,
        @object = "chat.completion",
        created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        model,
        choices = texts.Select((t, i) => new { index = i, message = new { role = "assistant", content = t }, finish_reason = "stop" }).ToArray(),
        usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens },
        avengers,
    };

    public static void StartStream(HttpResponse response)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
    }

    public static async Task WriteChunkAsync(HttpResponse response, string id, string model, string? content, string? finishReason, object? avengers, CancellationToken cancellationToken)
    {
        var chunk = new
        {
            id,
            @object = "chat.completion.chunk",
            created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            model,
            choices = new[] { new { index = 0, delta = content is null ? (object)new { } : new { role = "assistant", content }, finish_reason = finishReason } },
            avengers,
        };
        await response.WriteAsync("data: " + JsonSerializer.Serialize(chunk, Json) + "\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>OpenAI's final usage chunk (<c>stream_options.include_usage</c>): no choices, the answer's usage.</summary>
    /// <summary>The last chunk of include_usage; with unknown token counts (the backend reported none) its usage is null, never invented zeros.</summary>
    public static async Task WriteUsageChunkAsync(HttpResponse response, string id, string model, long? promptTokens, long? completionTokens, CancellationToken cancellationToken)
    {
        var chunk = new
        {
            id,
            @object = "chat.completion.chunk",
            created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            model,
            choices = Array.Empty<object>(),
            usage = promptTokens is long p && completionTokens is long c ? new { prompt_tokens = p, completion_tokens = c, total_tokens = p + c } : null,
        };
        await response.WriteAsync("data: " + JsonSerializer.Serialize(chunk, UsageJson) + "\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>The usage chunk writes an unknown usage as an explicit null.</summary>
    private static readonly JsonSerializerOptions UsageJson = new(Json) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never };

    public static async Task WriteErrorEventAsync(HttpResponse response, string message, CancellationToken cancellationToken)
    {
        await response.WriteAsync("data: " + OpenAIErrors.EventPayload(message, "api_error") + "\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    public static Task WriteDoneAsync(HttpResponse response, CancellationToken cancellationToken) => response.WriteAsync("data: [DONE]\n\n", cancellationToken);
}
