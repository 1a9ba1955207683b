using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Avengers.Tests.Server;

/// <summary>A configured secret never reaches the log, whatever its shape and wherever a backend echoes it.</summary>
public sealed class SecretRedactionTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    private const string BackendKey = "bk-very-secret-backend-key-9876"; // no known key prefix, too short for the long-token rule

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Capturing(Lines);
        public void Dispose() { }

        private sealed class Capturing(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => lines.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception));
        }
    }

    [Fact]
    public async Task A_backend_401_that_echoes_its_configured_key_is_logged_redacted()
    {
        await using var calc = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Fail(c, 401, message: $"Incorrect API key provided: {BackendKey}."));
        await using var scribe = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        var logs = new CapturingLoggerProvider();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ai:router"] = fixture.Router,
            ["Ai:strategy:default"] = "direct",
            ["Ai:backends:0:name"] = "calc",
            ["Ai:backends:0:base_url"] = calc.BaseUrl,
            ["Ai:backends:0:api_key_env"] = "CALC_KEY",
            ["Ai:backends:0:retries"] = "0",
            ["Ai:backends:1:name"] = "scribe",
            ["Ai:backends:1:base_url"] = scribe.BaseUrl,
        });
        builder.Services.AddAvengersGateway(builder.Configuration.GetSection("Ai"), fixture.Embedding, name => name == "CALC_KEY" ? BackendKey : null);
        await using WebApplication app = builder.Build();
        app.MapAvengersGateway();
        await app.StartAsync();

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        foreach (string model in new[] { "avengers", "calc" })
        {
            foreach (bool stream in new[] { false, true })
            {
                string body = JsonSerializer.Serialize(new { model, stream, messages = new[] { new { role = "user", content = GatewayEndToEndTests.MathQuestions[0] } } });
                using HttpResponseMessage response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
                Assert.DoesNotContain(BackendKey, await response.Content.ReadAsStringAsync());
            }
        }
        Assert.True(calc.Calls >= 2);
        string log = string.Join("\n", logs.Lines);
        Assert.Contains("Incorrect API key provided: [redacted]", log); // the backend's text is logged, for the operator...
        Assert.DoesNotContain(BackendKey, log);                          // ...without the key
        Assert.DoesNotContain("very-secret", log);
    }
}
