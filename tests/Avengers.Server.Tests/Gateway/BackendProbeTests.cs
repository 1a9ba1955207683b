using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Avengers.Tests.Server;

public class BackendProbeTests
{
    private static async Task<(WebApplication App, Func<int> Calls, Func<string?> LastKey)> ServerAsync(int status)
    {
        int calls = 0;
        string? key = null;
        WebApplication app = await Loopback.StartAsync(app => app.MapGet("/v1/models", (HttpContext context) =>
        {
            Interlocked.Increment(ref calls);
            key = context.Request.Headers.Authorization;
            return Results.StatusCode(status);
        }));
        return (app, () => Volatile.Read(ref calls), () => key);
    }

    [Fact]
    public async Task Probes_are_cached_for_a_while_and_send_the_backend_key()
    {
        var (app, calls, lastKey) = await ServerAsync(200);
        await using (app)
        {
            var clock = new ManualClock();
            using var probe = new BackendProbe([("m", app.Urls.First() + "/v1", "sk-backend")], timeout: TimeSpan.FromSeconds(20), cacheFor: TimeSpan.FromSeconds(5), time: clock);

            BackendStatus status = (await probe.CheckAsync()).Single();
            Assert.True(status.Reachable);
            Assert.Equal(200, status.HttpStatus);
            Assert.Equal("Bearer sk-backend", lastKey());

            await probe.CheckAsync();
            Assert.Equal(1, calls());
            clock.Now += TimeSpan.FromSeconds(6);
            await probe.CheckAsync();
            Assert.Equal(2, calls());
        }
    }

    [Theory]
    [InlineData(503, false)]
    [InlineData(401, false)]
    [InlineData(404, true)] // the server answers; it just has no model list
    public async Task Server_errors_and_refused_keys_are_not_ready(int code, bool reachable)
    {
        var (app, _, _) = await ServerAsync(code);
        await using (app)
        {
            // A generous timeout: this is about status codes, and a loaded CI machine may take a while to answer.
            using var probe = new BackendProbe([("m", app.Urls.First() + "/v1", null)], timeout: TimeSpan.FromSeconds(20));
            BackendStatus status = (await probe.CheckAsync()).Single();
            Assert.Equal(reachable, status.Reachable);
            Assert.Equal(code, status.HttpStatus);
            Assert.Equal(reachable, status.Error is null);
        }
    }

    [Fact]
    public async Task A_backend_that_does_not_answer_in_time_is_not_ready()
    {
        await using WebApplication app = await Loopback.StartAsync(app =>
            app.MapGet("/v1/models", async (HttpContext context) => { await Task.Delay(10_000, context.RequestAborted); return Results.Ok(); }));
        using var probe = new BackendProbe([("slow", app.Urls.First() + "/v1", null)], timeout: TimeSpan.FromMilliseconds(300));
        BackendStatus status = (await probe.CheckAsync()).Single();
        Assert.False(status.Reachable);
        Assert.Contains("no answer within", status.Error);
    }

    [Fact]
    public async Task A_backend_whose_model_list_lacks_the_configured_model_is_not_ready()
    {
        await using WebApplication app = await Loopback.StartAsync(app =>
            app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = "Qwen/Qwen2.5-7B-Instruct" } } })));
        string url = app.Urls.First() + "/v1";
        using var probe = new BackendProbe([("right", url, null), ("wrong", url, null)], timeout: TimeSpan.FromSeconds(20),
            servedModel: new Dictionary<string, string> { ["right"] = "Qwen/Qwen2.5-7B-Instruct", ["wrong"] = "qwen2.5-7b" });
        IReadOnlyList<BackendStatus> statuses = await probe.CheckAsync();
        Assert.True(statuses.Single(s => s.Name == "right").Reachable);
        BackendStatus wrong = statuses.Single(s => s.Name == "wrong");
        Assert.False(wrong.Reachable);
        Assert.Contains("does not serve model 'qwen2.5-7b' (it lists: Qwen/Qwen2.5-7B-Instruct)", wrong.Error);
    }
}
