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

    /// <summary>A host app on a loopback port whose "Ai" section configures the gateway over two backends at <paramref name="backendUrl"/>, plus <paramref name="extra"/> keys.</summary>
    private WebApplicationBuilder HostWithGatewaySection(string backendUrl, params (string Key, string Value)[] extra)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var section = new Dictionary<string, string?>
        {
            ["Ai:router"] = fixture.Router,
            ["Ai:backends:0:name"] = "calc",
            ["Ai:backends:0:base_url"] = backendUrl,
            ["Ai:backends:1:name"] = "scribe",
            ["Ai:backends:1:base_url"] = backendUrl,
        };
        foreach ((string key, string value) in extra) section["Ai:" + key] = value;
        builder.Configuration.AddInMemoryCollection(section);
        return builder;
    }

    [Fact]
    public async Task The_backends_are_keyed_chat_clients_the_embedder_comes_from_di_and_the_groups_conventions_cover_metrics()
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        WebApplicationBuilder builder = HostWithGatewaySection(backend.BaseUrl, ("strategy:default", "direct"));
        // The host registers the embedder itself; the gateway takes it from DI.
        builder.Services.AddSingleton(fixture.Embedding);
        builder.Services.AddAvengersGateway(builder.Configuration.GetSection("Ai"), environment: _ => null);
        await using WebApplication app = builder.Build();
        // A convention on the returned group (here a tenant check, as RequireAuthorization would be) covers /metrics too.
        ((IEndpointConventionBuilder)app.MapAvengersGateway("/ai")).Finally(endpoint =>
        {
            RequestDelegate inner = endpoint.RequestDelegate!;
            endpoint.RequestDelegate = context =>
            {
                if (context.Request.Headers["x-tenant"] == "acme") return inner(context);
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        await app.StartAsync();

        Assert.Same(fixture.Embedding, app.Services.GetRequiredService<Avengers.Embedding.EmbeddingStack>());
        var calc = app.Services.GetRequiredKeyedService<Microsoft.Extensions.AI.IChatClient>("calc");
        Assert.Same(calc, app.Services.GetRequiredService<GatewayRuntime>().Members["calc"]);
        Microsoft.Extensions.AI.ChatResponse direct = await calc.GetResponseAsync([new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "What is 2 + 2?")]);
        Assert.Contains("The answer is (B).", direct.Text);

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/ai/metrics")).StatusCode);
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/ai/metrics");
        scrape.Headers.Add("x-tenant", "acme");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(scrape)).StatusCode);
    }

    [Fact]
    public async Task Without_an_embedder_in_di_the_gateway_builds_the_configured_one_and_disposes_it()
    {
        WebApplicationBuilder builder = HostWithGatewaySection("http://127.0.0.1:9/v1", ("embedding_cache", "none"));
        builder.Services.AddAvengersGateway(builder.Configuration.GetSection("Ai"), environment: _ => null);
        await using WebApplication app = builder.Build();
        app.MapAvengersGateway();

        var built = app.Services.GetRequiredService<Avengers.Embedding.EmbeddingStack>();
        Assert.NotSame(fixture.Embedding, built);
        Assert.Equal(fixture.Embedding.ModelId, built.ModelId);
        Assert.Same(built.Generator, app.Services.GetRequiredService<GatewayRuntime>().Embedding.Generator);
    }

    [Fact]
    public async Task Limits_read_time_from_the_hosts_TimeProvider()
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Answer(c, "The answer is (B)."));
        WebApplicationBuilder builder = HostWithGatewaySection(backend.BaseUrl, ("strategy:default", "direct"),
            ("api_keys:0:name", "team-a"), ("api_keys:0:key_env", "TEAM_A_KEY"), ("api_keys:0:requests_per_minute", "1"));
        var clock = new ManualClock();
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddAvengersGateway(builder.Configuration.GetSection("Ai"), fixture.Embedding, name => name == "TEAM_A_KEY" ? "team-a-secret-key" : null);
        await using WebApplication app = builder.Build();
        app.MapAvengersGateway();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "team-a-secret-key");
        string body = JsonSerializer.Serialize(new { model = "avengers", messages = new[] { new { role = "user", content = GatewayEndToEndTests.MathQuestions[0] } } });
        async Task<HttpStatusCode> Ask() { using var r = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json")); return r.StatusCode; }

        Assert.Equal(HttpStatusCode.OK, await Ask());
        Assert.Equal(HttpStatusCode.TooManyRequests, await Ask());
        clock.Now += TimeSpan.FromSeconds(61); // the next minute on the host's clock, not the wall clock
        Assert.Equal(HttpStatusCode.OK, await Ask());
    }
}
