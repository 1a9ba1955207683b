using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Avengers.Tests;

/// <summary>An OpenAI-compatible backend on 127.0.0.1 whose every call follows a script (answers, errors, delays, cut streams).</summary>
internal sealed class ScriptedBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;
    private int _aborted;

    private ScriptedBackend(WebApplication app) => _app = app;

    public int Calls => Volatile.Read(ref _calls);
    public int Aborted => Volatile.Read(ref _aborted);

    // Waiters on a count: completed by the call (or abort) that reaches it, so tests wait on the event, not by polling.
    private readonly List<(Func<bool> Reached, TaskCompletionSource Done)> _waiters = [];

    /// <summary>Completes once at least <paramref name="count"/> calls have arrived (fails after <paramref name="timeout"/>, default 10 s).</summary>
    public Task WhenCalls(int count, TimeSpan? timeout = null) => When(() => Calls >= count, timeout);

    /// <summary>Completes once at least <paramref name="count"/> calls have been aborted by the caller.</summary>
    public Task WhenAborted(int count, TimeSpan? timeout = null) => When(() => Aborted >= count, timeout);

    private Task When(Func<bool> reached, TimeSpan? timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (reached()) return Task.CompletedTask;
            _waiters.Add((reached, done));
        }
        return done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }

    private void Signal()
    {
        lock (_waiters)
            for (int i = _waiters.Count - 1; i >= 0; i--)
                if (_waiters[i].Reached()) { _waiters[i].Done.TrySetResult(); _waiters.RemoveAt(i); }
    }
    public string BaseUrl => _app.Urls.First() + "/v1";

    /// <param name="script">Handles call number i (0-based); use the helpers below to answer.</param>
    public static async Task<ScriptedBackend> StartAsync(Func<int, HttpContext, Task> script)
    {
        ScriptedBackend? backend = null;
        WebApplication app = await Loopback.StartAsync(app => app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            int call = Interlocked.Increment(ref backend!._calls) - 1;
            backend.Signal();
            context.RequestAborted.Register(() => { Interlocked.Increment(ref backend._aborted); backend.Signal(); });
            try { await script(call, context); }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested) { }
        }));
        return backend = new ScriptedBackend(app);
    }

    public static async Task<bool> IsStreamingAsync(HttpContext context)
    {
        context.Request.EnableBuffering();
        using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body);
        context.Request.Body.Position = 0;
        return body.RootElement.TryGetProperty("stream", out JsonElement s) && s.ValueKind == JsonValueKind.True;
    }

    public static Task Answer(HttpContext context, string text)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            id = "chatcmpl-x",
            @object = "chat.completion",
            created = 0,
            model = "scripted",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 1, completion_tokens = 1, total_tokens = 2 },
        }));
    }

    /// <summary>Answers with as many choices as the request's n asks for, the texts given by <paramref name="text"/>.</summary>
    public static async Task AnswerN(HttpContext context, Func<int, string> text)
    {
        using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body);
        int n = body.RootElement.TryGetProperty("n", out JsonElement e) && e.ValueKind == JsonValueKind.Number ? e.GetInt32() : 1;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            id = "chatcmpl-x",
            @object = "chat.completion",
            created = 0,
            model = "scripted",
            choices = Enumerable.Range(0, n).Select(i => new { index = i, message = new { role = "assistant", content = text(i) }, finish_reason = "stop" }).ToArray(),
            usage = new { prompt_tokens = 10, completion_tokens = 5 * n, total_tokens = 10 + 5 * n },
        }));
    }

    public static Task Fail(HttpContext context, int status, string? retryAfter = null, string message = "scripted failure")
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null) context.Response.Headers.RetryAfter = retryAfter;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { error = new { message, type = "server_error" } }));
    }

    /// <summary>
    /// Streams the pieces as SSE chunks; with <paramref name="cutAfter"/>, drops the connection after that many; with
    /// <paramref name="stallAfter"/>, stops sending (and holds the connection) after that many; without
    /// <paramref name="done"/>, ends cleanly but without the final <c>[DONE]</c>.
    /// </summary>
    public static async Task Stream(HttpContext context, string[] pieces, int? cutAfter = null, int? stallAfter = null, bool done = true)
    {
        context.Response.ContentType = "text/event-stream";
        for (int i = 0; i < pieces.Length; i++)
        {
            if (cutAfter == i)
            {
                // Abort drops what Kestrel has not yet handed to the socket: give the pieces sent time to leave first.
                await Task.Delay(200);
                context.Abort();
                return;
            }
            if (stallAfter == i)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                return;
            }
            string chunk = JsonSerializer.Serialize(new
            {
                id = "chatcmpl-x",
                @object = "chat.completion.chunk",
                created = 0,
                model = "scripted",
                choices = new[] { new { index = 0, delta = new { role = "assistant", content = pieces[i] }, finish_reason = (string?)null } },
            });
            await context.Response.WriteAsync($"data: {chunk}\n\n");
            await context.Response.Body.FlushAsync();
            await Task.Delay(20);
        }
        if (done) await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    /// <summary>A 200 whose body is not what was asked for (an HTML page, or a broken event stream).</summary>
    public static Task Raw(HttpContext context, string contentType, string body)
    {
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
