using System.Text.Json;
using Avengers.Embedding;
using Avengers.Ensemble;
using Avengers.Voting;
using Avengers.Routing;
using Avengers.Server.Configuration;
using Avengers.Server.OpenAI;
using Avengers.Server.Fleet;

namespace Avengers.Server.Gateway;

/// <summary>
/// The OpenAI-compatible gateway: <c>/v1/chat/completions</c> (JSON and SSE), <c>/v1/models</c>,
/// <c>/v1/route</c>, <c>/health</c> and <c>/metrics</c>, over a <see cref="GatewayRuntime"/>.
/// </summary>
public static class GatewayHost
{
    public static readonly IReadOnlyList<string> EnsembleModels = ["avengers", "avengers-direct", "avengers-vote", "avengers-switch"];

    private static readonly JsonSerializerOptions RouteJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Readable messages ('model', +, non-ASCII) instead of \u0027 escapes; the body is JSON, never embedded in HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The standalone gateway (what <c>avengers serve</c> runs): Kestrel on the configured address, the gateway's
    /// services and endpoints, and OpenAI-shaped bodies for the errors the framework answers itself. To host the
    /// gateway inside another ASP.NET Core app, call <c>AddAvengersGateway</c>
    /// and <see cref="GatewayEndpointRouteBuilderExtensions.MapAvengersGateway"/> there instead. The caller owns <paramref name="embedding"/>.
    /// </summary>
    /// <exception cref="GatewayConfigException">The configuration has problems (all listed).</exception>
    public static WebApplication Build(GatewayConfig config, EmbeddingStack embedding, Func<string, string?>? environment = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(config.Listen);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = config.MaxBodyBytes;
            // Requests Kestrel rejects before any middleware (malformed HTTP, slow headers) get OpenAI's error body too.
            kestrel.ConfigureEndpointDefaults(listen => listen.UseOpenAIErrorBodies());
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A host that cannot start (e.g. its port is taken) is reported by the caller in one line, not logged with a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        // Fleet mode's in-process tier is HybridCache's, over the host's IMemoryCache: bounded here in bytes (HybridCache
        // sizes every entry), so that a stream of new questions cannot grow it for the hour an entry may live.
        builder.Services.AddMemoryCache(cache => cache.SizeLimit = SharedEmbeddingGenerator.LocalTierBytes);
        builder.Services.AddAvengersGateway(config, embedding, environment);
        // SIGTERM and Ctrl+C drain: Kestrel stops accepting at once and lets requests in flight finish for this long.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = config.Normalized().Drain);
        WebApplication app = builder.Build();
        // Errors the framework answers without a body (unknown path 404, wrong method 405, ...) get OpenAI's shape too.
        app.UseStatusCodePages(async statusContext =>
        {
            HttpResponse response = statusContext.HttpContext.Response;
            string reason = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(response.StatusCode);
            await OpenAIErrors.Result(response.StatusCode, $"{response.StatusCode} {reason}: {statusContext.HttpContext.Request.Method} {statusContext.HttpContext.Request.Path}",
                response.StatusCode >= 500 ? "api_error" : "invalid_request_error").ExecuteAsync(statusContext.HttpContext);
        });
        app.MapAvengersGateway();
        return app;
    }

    /// <summary>Maps every endpoint of the gateway on <paramref name="endpoints"/> (under <paramref name="prefix"/>).</summary>
    internal static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix)
    {
        // Built once, here, from the validated configuration: the router artifact is loaded once.
        GatewayRuntime runtime = endpoints.ServiceProvider.GetRequiredService<GatewayRuntime>();
        ILogger logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Avengers.Gateway");
        RouteGroupBuilder gateway = endpoints.MapGroup(prefix);
        // Stopping (SIGTERM, Ctrl+C): readiness fails at once; the host lets the requests in flight finish (its shutdown timeout).
        endpoints.ServiceProvider.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(() =>
        {
            runtime.BeginDrain();
            GatewayLog.Draining(logger, runtime.InFlight, endpoints.ServiceProvider.GetService<Microsoft.Extensions.Options.IOptions<HostOptions>>()?.Value.ShutdownTimeout.TotalSeconds ?? 0);
        });
        // Stopped (the requests in flight are done): leased permits this replica did not use go back to their window.
        endpoints.ServiceProvider.GetService<IHostApplicationLifetime>()?.ApplicationStopped.Register(() => runtime.Limiter.ReleaseAsync().GetAwaiter().GetResult());
        // Last resort: an unexpected failure is still an OpenAI-shaped error with a request id, never an empty 500;
        // the detail goes to the log.
        gateway.AddEndpointFilter(async (context, next) =>
        {
            runtime.RequestStarted();
            try { return await next(context); }
            catch (Exception ex) when (!context.HttpContext.Response.HasStarted && !context.HttpContext.RequestAborted.IsCancellationRequested)
            {
                string id = ChatCompletionWriter.NewId();
                // The exception's text may hold a configured secret: the log gets it redacted, with the stack.
                GatewayLog.UnexpectedFailure(logger, id, context.HttpContext.Request.Method, context.HttpContext.Request.Path, BackendFailures.Redact(ex.ToString()));
                return OpenAIErrors.Result(500, $"internal error (request {id}); the gateway log has the details", "api_error", null, "internal_error");
            }
            finally { runtime.RequestEnded(); }
        });
        // Inside the group, so that the host's conventions on it (RequireAuthorization, ...) cover the scrape endpoint too.
        IEndpointConventionBuilder metrics = gateway.MapPrometheusScrapingEndpoint("/metrics");
        if (runtime.Config.MetricsRequireKey && runtime.Keys.Count > 0)
        {
            // metrics_require_key: the scrape endpoint takes the same bearer keys as /v1.
            metrics.Add(endpoint =>
            {
                RequestDelegate inner = endpoint.RequestDelegate!;
                endpoint.RequestDelegate = async context =>
                {
                    if (!HasKey(context, runtime)) { await OpenAIErrors.Unauthorized("missing or incorrect API key for /metrics").ExecuteAsync(context); return; }
                    await inner(context);
                };
            });
        }

        // Live: the process answers. /health: the router is loaded and backends are configured (checked at start-up).
        gateway.MapGet("/health", () => Results.Json(new { status = "ok", live = true, ready = true, artifact_sha256 = runtime.Artifact.FileHash, backends = runtime.Members.Keys }));
        gateway.MapGet("/health/live", () => Results.Json(new { status = "ok" }));
        // Ready: at least one backend answers its /models (probed, cached for a few seconds) with its circuit closed.
        gateway.MapGet("/health/ready", (Delegate)(async (CancellationToken cancellationToken) =>
        {
            if (runtime.Draining) return Results.Json(new { status = "draining", reachable = 0, artifact_sha256 = runtime.Artifact.FileHash }, RouteJson, statusCode: 503);
            IReadOnlyList<BackendStatus> backends = await runtime.Probe.CheckAsync(cancellationToken);
            int reachable = backends.Count(b => b.Reachable);
            // Redis down degrades the fleet (local cache, limits per redis_failure) but the gateway still answers: ready.
            string? redis = runtime.Fleet is null ? null : runtime.Fleet.IsConnected && !runtime.Limiter.Degraded ? "ok" : "unreachable";
            string status = reachable == 0 ? "unavailable" : redis == "unreachable" ? "degraded" : "ok";
            return Results.Json(new { status, reachable, artifact_sha256 = runtime.Artifact.FileHash, redis, backends },
                RouteJson, statusCode: reachable > 0 ? 200 : 503);
        }));

        // Gateway API keys: every /v1 call needs "Authorization: Bearer <key>" when keys are configured. A host app
        // adds its own authentication and middleware around these endpoints as usual.
        RouteGroupBuilder v1 = gateway.MapGroup("/v1");
        v1.AddEndpointFilter(async (context, next) =>
        {
            if (runtime.Keys.Count == 0) return await next(context);
            if (KeyOf(context.HttpContext, runtime) is not Fleet.GatewayKey key)
                return OpenAIErrors.Unauthorized(PresentedKey(context.HttpContext) is null ? "missing API key: send 'Authorization: Bearer <key>'" : "incorrect API key provided");
            context.HttpContext.Items[KeyItem] = key;
            if (!HttpMethods.IsPost(context.HttpContext.Request.Method)) return await next(context);
            // The key's limits (shared by every replica in fleet mode): over one, 429 in OpenAI's shape with its headers.
            Fleet.LimitVerdict? verdict = await runtime.Limiter.AdmitAsync(key, context.HttpContext.RequestAborted);
            if (verdict is null)
            {
                runtime.Metrics?.RecordRefused(key.Name, "store_unavailable");
                return OpenAIErrors.Result(503, "the limit store (Redis) is unreachable and redis_failure is closed: requests with limits are refused until it is back", "api_error", null, "limit_store_unavailable");
            }
            LimitHeaders.Add(context.HttpContext.Response, verdict.Counters);
            if (verdict.Refused is string limit)
            {
                // The key's name labels the count and the log line, never the key.
                runtime.Metrics?.RecordRefused(key.Name, limit);
                GatewayLog.KeyRefused(logger, key.Name, limit);
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(verdict.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return limit == "budget"
                    ? OpenAIErrors.Result(429, $"key '{key.Name}' spent its budget of {key.Limits!.BudgetUsd} USD for this {key.Limits.BudgetPeriod}; it renews in {verdict.RetryAfter.TotalHours:0.#} h", "insufficient_quota", null, "insufficient_quota")
                    : OpenAIErrors.Result(429, $"rate limit reached for key '{key.Name}': {(limit == "requests" ? $"{key.Limits!.RequestsPerMinute} requests" : $"{key.Limits!.TokensPerMinute} tokens")} per minute; retry in {Math.Ceiling(verdict.RetryAfter.TotalSeconds)} s", "requests", null, "rate_limit_exceeded");
            }
            return await next(context);
        });
        v1.MapGet("/models", () => Results.Json(new
        {
            @object = "list",
            avengers = new { artifact_sha256 = runtime.Artifact.FileHash }, // the router artifact serving now (rollouts change it)
            data = EnsembleModels.Concat(runtime.Members.Keys).Select(m => new { id = m, @object = "model", created = 0, owned_by = "avengers" }),
        }));
        v1.MapPost("/route", (Delegate)((HttpContext context) => RouteAsync(context, runtime)));
        v1.MapPost("/chat/completions", (Delegate)((HttpContext context) => ChatCompletionsEndpoint.HandleAsync(context, runtime)));
        v1.MapPost("/feedback", (Delegate)((HttpContext context) => Feedback.FeedbackEndpoint.HandleAsync(context, runtime)));
        return gateway;
    }

    /// <summary>HttpContext.Items entry holding the request's <see cref="Fleet.GatewayKey"/>.</summary>
    internal const string KeyItem = "avengers.key";

    /// <summary>The gateway key the request was authenticated with (set by the /v1 filter), or null without keys.</summary>
    internal static Fleet.GatewayKey? RequestKey(HttpContext context)
        => context.Items.TryGetValue(KeyItem, out object? item) ? item as Fleet.GatewayKey : null;

    /// <summary>The configured key the request presents (compared in constant time), or null.</summary>
    private static Fleet.GatewayKey? KeyOf(HttpContext context, GatewayRuntime runtime)
    {
        if (PresentedKey(context) is not string presented) return null;
        byte[] given = System.Text.Encoding.UTF8.GetBytes(presented);
        Fleet.GatewayKey? found = null;
        foreach (Fleet.GatewayKey key in runtime.NamedKeys)
            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(key.Secret), given)) found ??= key;
        return found;
    }

    private static string? PresentedKey(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        // The scheme is case-insensitive (RFC 9110, section 11.1): "bearer" and "BEARER" are the same.
        return header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <summary>True when the request presents one of the gateway's keys (compared in constant time).</summary>
    private static bool HasKey(HttpContext context, GatewayRuntime runtime) => KeyOf(context, runtime) is not null;

    /// <summary><c>POST /v1/route</c>: the routing decision for <c>{"query"}</c> or <c>{"messages"}</c>, without generation.</summary>
    private static async Task<IResult> RouteAsync(HttpContext context, GatewayRuntime runtime)
    {
        (JsonDocument? document, IResult? error) = await ChatCompletionsEndpoint.ReadJsonAsync(context, runtime.Config.MaxBodyBytes);
        if (error is not null) return error;
        using (document)
        {
            if (document!.RootElement.ValueKind != JsonValueKind.Object) return OpenAIErrors.BadRequest("the request body must be a JSON object with 'query' or 'messages'");
            string? query;
            try { query = document.RootElement.TryGetProperty("query", out JsonElement q) && q.ValueKind == JsonValueKind.String ? q.GetString() : null; }
            catch (InvalidOperationException) { return OpenAIErrors.BadRequest("'query' is not valid Unicode (a lone surrogate or invalid UTF-8)", "query"); }
            if (query is null && ChatCompletionRequest.TryParse(ChatCompletionsEndpoint.AddModel(document.RootElement), out ChatCompletionRequest? request, out _, out _)) query = request!.LastUserText;
            if (string.IsNullOrWhiteSpace(query)) return OpenAIErrors.BadRequest("send 'query' (a string) or 'messages' with a user message", "query");
            var vector = (await runtime.QueryEmbedder.GenerateAsync([query], cancellationToken: context.RequestAborted))[0].Vector;
            RoutingDecision decision = runtime.Router.Route(vector.Span, runtime.Defaults.Routing with { Available = runtime.Members.Keys.ToHashSet() });
            // The decision the CLI's 'route' shows: every cluster blended in (partition:cluster), and what the policy does with it.
            RouterManifest manifest = runtime.Artifact.Manifest;
            QueryPlan? plan = runtime.Defaults.Policy is EnsemblePolicy policy
                ? (policy with { Strategy = runtime.Defaults.Strategy.ToWireName(), TopN = runtime.Defaults.TopN }).Plan(decision) : null;
            return Results.Json(new
            {
                cluster = decision.Cluster,
                cluster_name = manifest.ClusterName(decision.Cluster),
                similarity = decision.Similarity,
                clusters = decision.Clusters.Select(c => new { cluster = c.Cluster, name = manifest.ClusterName(c.Cluster), similarity = c.Similarity, weight = c.Weight }),
                models = plan?.Models ?? decision.Models,
                strategy = (plan?.Options.Strategy ?? runtime.Defaults.Strategy).ToWireName(),
                top_n = runtime.Defaults.TopN,
                policy_note = plan?.Reason,
                artifact_sha256 = runtime.Artifact.FileHash,
            }, RouteJson);
        }
    }
}
