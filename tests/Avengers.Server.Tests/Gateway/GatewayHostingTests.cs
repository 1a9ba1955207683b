using System.Net;
using System.Text;
using System.Text.Json;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Avengers.Tests.Server;

/// <summary>The gateway hosted inside someone else's ASP.NET Core app: their configuration, their middleware, their prefix.</summary>
public sealed class GatewayHostingTests(RouterFixture fixture) : IClassFixture<RouterFixture>
{
    [Fact]
    public async Task AddAvengersGateway_and_MapAvengersGateway_compose_with_the_hosts_own_auth_and_prefix()
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // The host's own configuration source, with the YAML file's keys.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ai:router"] = fixture.Router,
            ["Ai:strategy:default"] = "direct",
            ["Ai:request_timeout_seconds"] = "30",
            ["Ai:backends:0:name"] = "calc",
            ["Ai:backends:0:base_url"] = backend.BaseUrl,
            ["Ai:backends:1:name"] = "scribe",
            ["Ai:backends:1:base_url"] = backend.BaseUrl,
        });
        builder.Services.AddAvengersGateway(builder.Configuration.GetSection("Ai"), fixture.Embedding, _ => null);
        await using WebApplication app = builder.Build();
        // The host's own authentication: a tenant header, checked before the gateway sees anything.
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/ai") && context.Request.Headers["x-tenant"] != "acme")
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }
            await next(context);
        });
        app.MapGet("/", () => "the host's own page");
        app.MapAvengersGateway("/ai");
        await app.StartAsync();

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        string body = JsonSerializer.Serialize(new { model = "avengers", messages = new[] { new { role = "user", content = GatewayEndToEndTests.MathQuestions[0] } } });
        using var denied = await http.PostAsync("/ai/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/ai/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-tenant", "acme");
        using HttpResponseMessage answered = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Contains("The answer is (B).", await answered.Content.ReadAsStringAsync());
        Assert.Equal("the host's own page", await http.GetStringAsync("/"));

        // One runtime, built once from the bound configuration.
        GatewayRuntime runtime = app.Services.GetRequiredService<GatewayRuntime>();
        Assert.Equal(30, runtime.Config.RequestTimeoutSeconds);
        Assert.Equal(["calc", "scribe"], runtime.Members.Keys.Order());
    }

    [Fact]
    public async Task The_configuration_is_validated_when_the_host_starts_with_every_problem_listed()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ai:router"] = Path.Combine(TestData.TempDir(), "missing.avengers"),
            ["Ai:strategy:n"] = "500",
            ["Ai:backends:0:name"] = "calc",
            ["Ai:backends:0:base_url"] = "not a url",
        });
        builder.Services.AddAvengersGateway(builder.Configuration.GetSection("Ai"), fixture.Embedding, _ => null);
        await using WebApplication app = builder.Build(); // the host maps nothing yet: ValidateOnStart still checks

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(error.Failures, f => f.StartsWith("router:", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("strategy.n:", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("backends[0].base_url:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mapping_an_invalid_configuration_fails_with_the_same_list()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddAvengersGateway(new Avengers.Server.Configuration.GatewayConfig { Router = Path.Combine(TestData.TempDir(), "missing.avengers") }, fixture.Embedding, _ => null);
        await using WebApplication app = builder.Build();

        var error = Assert.Throws<Avengers.Server.Configuration.GatewayConfigException>(() => app.MapAvengersGateway());

        Assert.Contains(error.Problems, p => p.StartsWith("router:", StringComparison.Ordinal));
    }
}
