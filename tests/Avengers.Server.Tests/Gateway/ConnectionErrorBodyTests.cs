using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Avengers.Server.OpenAI;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Avengers.Tests.Server;

/// <summary>Requests Kestrel rejects before any middleware still get OpenAI's error body (raw sockets, since no client sends such requests).</summary>
public sealed class ConnectionErrorBodyTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    private async Task<WebApplication> GatewayAsync(ScriptedBackend backend)
    {
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = fixture.Router,
            Embedding = "minilm",
            Backends = [new BackendConfig { Name = "calc", BaseUrl = backend.BaseUrl }, new BackendConfig { Name = "scribe", BaseUrl = backend.BaseUrl }],
        };
        WebApplication app = GatewayHost.Build(config, fixture.Embedding, _ => null);
        await app.StartAsync();
        return app;
    }

    private static async Task<string> SendRawAsync(WebApplication gateway, string request)
    {
        var uri = new Uri(gateway.Urls.First());
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadToEndAsync(timeout.Token); // Kestrel closes the connection after its error answer
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET /v1/models HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n")]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: five\r\n\r\n")]
    public async Task Malformed_http_gets_a_400_with_an_openai_error_body(string request)
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        await using WebApplication gateway = await GatewayAsync(backend);

        string response = await SendRawAsync(gateway, request);

        Assert.True(response.StartsWith("HTTP/1.1 400 Bad Request\r\n", StringComparison.Ordinal), response);
        Assert.Contains("\r\nContent-Type: application/json\r\n", response);
        string body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Contains($"\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n", response);
        using JsonDocument error = JsonDocument.Parse(body);
        Assert.Equal("invalid_request_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("not valid HTTP", error.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Bad_chunked_encoding_is_a_malformed_body_not_a_body_too_large()
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        await using WebApplication gateway = await GatewayAsync(backend);

        string response = await SendRawAsync(gateway, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.DoesNotContain("body_too_large", response);
    }

    [Fact]
    public async Task Well_formed_requests_on_the_same_connection_pass_through_untouched()
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "unused"));
        await using WebApplication gateway = await GatewayAsync(backend);

        string response = await SendRawAsync(gateway, "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response);
        Assert.Contains("\"status\":\"ok\"", response);
        Assert.Contains("HTTP/1.1 404 Not Found\r\n", response); // the app's own error page, already shaped
    }

    [Fact]
    public async Task Headers_that_do_not_arrive_in_time_get_a_408_with_an_openai_error_body()
    {
        // The gateway keeps Kestrel's 30 s header timeout; a host with a short one shows the same middleware at work.
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(1);
            kestrel.ConfigureEndpointDefaults(listen => listen.UseOpenAIErrorBodies());
        });
        await using WebApplication app = builder.Build();
        app.MapGet("/", () => "ok");
        await app.StartAsync();

        string response = await SendRawAsync(app, "GET / HTTP/1.1\r\nHost: x\r\nX-Half: "); // and nothing more

        Assert.True(response.StartsWith("HTTP/1.1 408 Request Timeout\r\n", StringComparison.Ordinal), response);
        using JsonDocument error = JsonDocument.Parse(response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
        Assert.Equal("request_timeout", error.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")]          // not an error
    [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 12\r\nConnection: close\r\n\r\n")] // has a body
    [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")]                      // connection stays open: the app's answer
    [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n")]    // header block not complete here
    [InlineData("data: HTTP/1.1 400 Bad Request\r\n\r\n")]
    public void Only_kestrels_own_bodiless_error_answers_are_rewritten(string written)
        => Assert.Null(ConnectionErrorBodies.Rewrite(Encoding.ASCII.GetBytes(written)));

    [Fact]
    public void A_408_says_the_request_was_too_slow()
    {
        byte[] rewritten = ConnectionErrorBodies.Rewrite("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\nServer: Kestrel\r\n\r\n"u8)!;
        string text = Encoding.ASCII.GetString(rewritten);
        Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: ", text);
        Assert.EndsWith("\"code\":\"request_timeout\"}}", text);
        Assert.Contains("\r\nConnection: close\r\nServer: Kestrel\r\n\r\n{", text);
    }
}
