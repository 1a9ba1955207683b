using System.Collections.Concurrent;
using System.Text.Json;
using Avengers.Data;
using Avengers.Server.OpenAI;
using Avengers.Answers;

namespace Avengers.Testbed.Replay;

/// <summary>
/// Serves the recorded outputs of a benchmark file as OpenAI-compatible models (one per recorded
/// model), looking a request up by its last user message. Successive calls for the same model and
/// query cycle through the recorded samples. An unknown query or model gets an OpenAI-style 404.
/// </summary>
public static class ReplayServer
{
    public static WebApplication Build(Benchmark benchmark, string url)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None); // start failures: one line from the caller
        WebApplication app = builder.Build();

        var byQuery = new Dictionary<string, BenchmarkRecord>(StringComparer.Ordinal);
        foreach (BenchmarkRecord record in benchmark.Records) byQuery.TryAdd(record.Query.Trim(), record);
        var models = new HashSet<string>(benchmark.Models, StringComparer.Ordinal);
        var cursors = new ConcurrentDictionary<(string, string), int>();

        app.MapGet("/v1/models", () => Results.Json(new
        {
            @object = "list",
            data = benchmark.Models.Select(m => new { id = m, @object = "model", created = 0, owned_by = "replay" }),
        }));
        app.MapGet("/health", () => Results.Json(new { status = "ok", records = benchmark.Records.Count }));

        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            JsonDocument document;
            try { document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted); }
            catch (JsonException ex) { return OpenAIErrors.BadRequest($"malformed JSON: {ex.Message}"); }
            using (document)
            {
                if (!ChatCompletionRequest.TryParse(document.RootElement, out ChatCompletionRequest? request, out string? error, out string? param))
                    return OpenAIErrors.BadRequest(error!, param);
                if (!models.Contains(request!.Model))
                    return OpenAIErrors.NotFound($"The model '{request.Model}' does not exist in {Path.GetFileName(benchmark.Source)}", "model", "model_not_found");
                if (!byQuery.TryGetValue(request.LastUserText.Trim(), out BenchmarkRecord? record))
                    return OpenAIErrors.NotFound("no recorded query matches the last user message", "messages", "unknown_query");
                if (!record.Outputs.TryGetValue(request.Model, out IReadOnlyList<Sample>? samples) || samples.Count == 0)
                    return OpenAIErrors.NotFound($"'{request.Model}' has no recorded output for this query", "model", "no_recorded_output");

                var texts = new List<string>();
                for (int i = 0; i < request.N; i++)
                {
                    int cursor = cursors.AddOrUpdate((request.Model, record.Id), 0, (_, c) => c + 1);
                    string? text = TextOf(samples[cursor % samples.Count], record.AnswerType);
                    if (text is null) return OpenAIErrors.NotFound($"'{request.Model}' has only a score recorded for this query, no text", "model", "no_recorded_text");
                    texts.Add(text);
                }
                string id = ChatCompletionWriter.NewId();
                if (!request.Stream) return Results.Json(ChatCompletionWriter.Completion(id, request.Model, texts, null, request.LastUserText.Length / 4, texts.Sum(t => t.Length) / 4));

                ChatCompletionWriter.StartStream(context.Response);
                foreach (string piece in Pieces(texts[0])) await ChatCompletionWriter.WriteChunkAsync(context.Response, id, request.Model, piece, null, null, context.RequestAborted);
                await ChatCompletionWriter.WriteChunkAsync(context.Response, id, request.Model, null, "stop", null, context.RequestAborted);
                // Like any OpenAI server: stream_options.include_usage adds a last chunk with the usage (the same estimate as above).
                if (request.IncludeUsage)
                    await ChatCompletionWriter.WriteUsageChunkAsync(context.Response, id, request.Model, request.LastUserText.Length / 4, texts[0].Length / 4, context.RequestAborted);
                await ChatCompletionWriter.WriteDoneAsync(context.Response, context.RequestAborted);
                return Results.Empty;
            }
        });
        return app;
    }

    /// <summary>The recorded text, or a sentence stating the recorded answer; null when only a score exists.</summary>
    private static string? TextOf(Sample sample, AnswerType type)
        => sample.Text ?? (sample.Answer is null ? null : type == AnswerType.Choice ? $"The answer is ({sample.Answer})." : $"The answer is {sample.Answer}.");

    private static IEnumerable<string> Pieces(string text)
    {
        for (int i = 0; i < text.Length; i += 16) yield return text.Substring(i, Math.Min(16, text.Length - i));
    }
}
