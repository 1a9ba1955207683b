using System.Globalization;
using System.Text;
using System.Text.Json;
using Avengers.Ensemble;
using Avengers.Server.OpenAI;
using Avengers.Voting;
using Microsoft.Extensions.AI;

namespace Avengers.Server.Gateway;

/// <summary>
/// <c>POST /v1/chat/completions</c>: parses the OpenAI request, picks the ensemble or a backend, and
/// writes JSON or server-sent events with the decision in the body and the <c>x-avengers-*</c> headers.
/// </summary>
internal static class ChatCompletionsEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext context, GatewayRuntime runtime)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        context.Response.OnCompleted(() =>
        {
            runtime.Metrics?.RecordRequest(context.Response.StatusCode, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, KeyNameOf(context));
            return Task.CompletedTask;
        });
        (JsonDocument? document, IResult? error) = await ReadJsonAsync(context, runtime.Config.MaxBodyBytes);
        if (error is not null) return error;
        ChatCompletionRequest request;
        using (document)
        {
            if (!ChatCompletionRequest.TryParse(document!.RootElement, out ChatCompletionRequest? parsed, out string? problem, out string? param))
                return OpenAIErrors.BadRequest(problem!, param);
            request = parsed!;
        }

        IChatClient target;
        ChatOptions options = request.ToChatOptions();
        if (!TryReadDeadline(request, runtime.Config.RequestTimeoutSeconds, out double deadlineSeconds, out string? deadlineError)) return OpenAIErrors.BadRequest(deadlineError!, "avengers");
        if (GatewayHost.EnsembleModels.Contains(request.Model))
        {
            target = runtime.Ensemble;
            if (!TryReadOverrides(request, runtime.Artifact.Costs is not null, out SettingsOverrides overrides, out string? overrideError)) return OpenAIErrors.BadRequest(overrideError!, "avengers");
            options.AdditionalProperties = new() { [SettingsOverrides.Key] = overrides };
        }
        else if (runtime.Members.TryGetValue(request.Model, out IChatClient? member)) target = member;
        else return OpenAIErrors.BadRequest($"unknown model '{request.Model}'; available: {string.Join(", ", GatewayHost.EnsembleModels.Concat(runtime.Members.Keys))}", "model", "model_not_found");

        string id = ChatCompletionWriter.NewId();
        // One deadline bounds the whole request (samples, retries, fallbacks); what is outstanding when it passes is cancelled.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(TimeSpan.FromSeconds(deadlineSeconds));
        try
        {
            if (!request.Stream)
            {
                ChatResponse response = await target.GetResponseAsync(request.Messages, options, deadline.Token);
                EnsembleDecision? decision = DecisionOf(response.AdditionalProperties);
                if (decision is not null)
                {
                    decision = decision with { CostUsd = runtime.CostOf(decision.Usage) };
                    runtime.Metrics?.RecordUsage(decision.Usage, runtime.CostOf, KeyNameOf(context));
                    AddHeaders(context.Response, decision);
                }
                if (decision is not null) Remember(context, id, request.LastUserText, decision);
                long input = response.Usage?.InputTokenCount ?? 0, output = response.Usage?.OutputTokenCount ?? 0;
                double? spent = decision is not null ? decision.CostUsd : runtime.CostOf(request.Model, new ModelUsage(1, input, output));
                CountForKey(context, runtime, input + output, spent);
                return Results.Json(ChatCompletionWriter.Completion(id, request.Model, [response.Text], decision, (int)input, (int)output), ChatCompletionWriter.Json);
            }
            await StreamAsync(context, runtime, target, request, options, id, deadlineSeconds, deadline.Token);
            return Results.Empty;
        }
        catch (BackendBusyException ex) when (!context.Response.HasStarted) { return Busy(context, ex.Message); }
        catch (EnsembleException ex) when (!context.Response.HasStarted && ex.AllBusy) { return Busy(context, $"{ex.Message} (request {id})"); }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested) { return Results.Empty; }
        catch (OperationCanceledException) when (!context.Response.HasStarted && deadline.IsCancellationRequested)
        {
            return OpenAIErrors.Result(504, $"the request deadline of {deadlineSeconds:0.###} s passed before an answer (request {id})", "api_error", null, "request_timeout");
        }
        catch (OperationCanceledException) when (!context.Response.HasStarted)
        {
            // Not the client: a backend's own deadline ran out.
            return OpenAIErrors.Result(504, $"{request.Model}: timed out (request {id})", "api_error", null, "backend_timeout");
        }
        catch (EnsembleException ex) when (!context.Response.HasStarted)
        {
            // Already safe: model names and status classes only (the backends' own texts went to the log).
            if (ex.RejectedWithStatus is 400 or 413 or 422) return OpenAIErrors.BadRequest($"{ex.Message} (request {id})", null, "rejected_by_backend");
            return OpenAIErrors.BackendFailed($"{ex.Message} (request {id})");
        }
        catch (Exception ex) when (!context.Response.HasStarted && (ex is BackendException or TimeoutException || HttpFailures.Classify(ex) is not null))
        {
            // A direct call to one backend: its name and a status class; the detail, redacted, to the log.
            GatewayLog.BackendFailed(Logger(context), id, request.Model, BackendFailures.Redact(ex.Message));
            BackendException? classified = ex as BackendException ?? HttpFailures.Classify(ex);
            string message = $"{request.Model}: {classified?.Reason ?? BackendFailures.Describe(ex)} (request {id})";
            return classified is { Refused: true }
                ? OpenAIErrors.BadRequest(message, null, "rejected_by_backend") : OpenAIErrors.BackendFailed(message);
        }
    }

    private static async Task StreamAsync(HttpContext context, GatewayRuntime runtime, IChatClient target, ChatCompletionRequest request, ChatOptions options, string id,
        double deadlineSeconds, CancellationToken deadline)
    {
        CancellationToken aborted = context.RequestAborted;
        bool started = false;
        EnsembleDecision? explained = null;
        long promptTokens = 0, completionTokens = 0;
        bool usageReported = false;
        try
        {
            await foreach (ChatResponseUpdate update in target.GetStreamingResponseAsync(request.Messages, options, deadline))
            {
                foreach (UsageContent usage in update.Contents.OfType<UsageContent>())
                {
                    usageReported = true;
                    promptTokens += usage.Details.InputTokenCount ?? 0;
                    completionTokens += usage.Details.OutputTokenCount ?? 0;
                }
                EnsembleDecision? decision = DecisionOf(update.AdditionalProperties);
                explained ??= decision;
                if (!started)
                {
                    if (decision is not null) AddHeaders(context.Response, decision);
                    ChatCompletionWriter.StartStream(context.Response);
                    started = true;
                }
                if (update.Text.Length > 0 || decision is not null)
                    await ChatCompletionWriter.WriteChunkAsync(context.Response, id, request.Model, update.Text, null, decision, aborted);
            }
        }
        catch (Exception ex) when (started && !aborted.IsCancellationRequested)
        {
            // The first byte is out: the backend stays fixed, and the failure ends the stream explicitly.
            GatewayLog.StreamFailed(Logger(context), id, request.Model, BackendFailures.Redact(ex.Message));
            string why = deadline.IsCancellationRequested ? $"the request deadline of {deadlineSeconds:0.###} s passed" : $"the backend failed mid-stream: {HttpFailures.Describe(ex)}";
            await ChatCompletionWriter.WriteErrorEventAsync(context.Response, $"{why} (request {id})", aborted);
            return;
        }
        if (!started) ChatCompletionWriter.StartStream(context.Response);
        await ChatCompletionWriter.WriteChunkAsync(context.Response, id, request.Model, null, "stop", null, aborted);
        // Streamed answers count in the token and cost metrics like the others: the voted usage when the ensemble
        // voted (every sample), else what the streaming backend reported.
        if (explained is not null) Remember(context, id, request.LastUserText, explained);
        // A backend that streamed no usage leaves it unknown: no zeros in the metrics or the client's usage chunk.
        if (explained is not null && (usageReported || explained.Usage is { Count: > 0 }))
        {
            IReadOnlyDictionary<string, ModelUsage> usage = explained.Usage is { Count: > 0 } voted ? voted
                : new Dictionary<string, ModelUsage> { [explained.ChosenModel] = new ModelUsage(1, promptTokens, completionTokens) };
            runtime.Metrics?.RecordUsage(usage, runtime.CostOf, KeyNameOf(context));
            if (explained.Usage is { Count: > 0 }) (promptTokens, completionTokens) = (usage.Values.Sum(u => u.InputTokens), usage.Values.Sum(u => u.OutputTokens));
            usageReported = true;
        }
        if (usageReported)
        {
            double? spent = explained is { Usage.Count: > 0 } ? runtime.CostOf(explained.Usage) : runtime.CostOf(explained?.ChosenModel ?? request.Model, new ModelUsage(1, promptTokens, completionTokens));
            CountForKey(context, runtime, promptTokens + completionTokens, spent);
        }
        if (request.IncludeUsage)
            await ChatCompletionWriter.WriteUsageChunkAsync(context.Response, id, request.Model, usageReported ? promptTokens : null, usageReported ? completionTokens : null, aborted);
        await ChatCompletionWriter.WriteDoneAsync(context.Response, aborted);
    }

    /// <summary>The name of the gateway key the request presented (metrics and logs carry it, never the key); null without keys.</summary>
    private static string? KeyNameOf(HttpContext context)
        => GatewayHost.RequestKey(context)?.Name;

    /// <summary>
    /// Remembers the decision so that the answer can be rated (POST /v1/feedback); a failure here never costs the answer.
    /// The write is issued now, before the answer leaves, and not waited for: in fleet mode it is a Redis round trip
    /// the answer need not sit behind, and Redis applies each connection's commands in order, so a rating that follows
    /// the answer finds it.
    /// </summary>
    private static void Remember(HttpContext context, string id, string query, EnsembleDecision decision)
    {
        if (context.RequestServices.GetService<Feedback.FeedbackService>() is not { } feedback) return;
        string key = KeyNameOf(context) ?? "";
        Task written;
        try { written = feedback.RememberAsync(id, key, query, decision, CancellationToken.None); }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            GatewayLog.DecisionNotRemembered(Logger(context), id, BackendFailures.Redact(ex.Message));
            return;
        }
        // The logger is resolved now, while the request's services exist; the embedded memory completes at once and needs none.
        if (!written.IsCompletedSuccessfully) _ = ObserveAsync(written, Logger(context), id);

        static async Task ObserveAsync(Task written, ILogger logger, string id)
        {
            try { await written.ConfigureAwait(false); }
            catch (Exception ex) { GatewayLog.DecisionNotRemembered(logger, id, BackendFailures.Redact(ex.Message)); }
        }
    }

    /// <summary>
    /// Adds a finished request's tokens and spend to its key's counters (all the calls it made, every sample of a vote).
    /// Issued before the answer leaves and not waited for (the limiter reports its own failures): the next admission
    /// through this replica's Redis connection comes after it.
    /// </summary>
    private static void CountForKey(HttpContext context, GatewayRuntime runtime, long tokens, double? costUsd)
    {
        if (GatewayHost.RequestKey(context) is Fleet.GatewayKey key)
            _ = runtime.Limiter.RecordAsync(key, tokens, costUsd ?? 0, CancellationToken.None);
    }

    /// <summary>429 with a Retry-After: the backends are at capacity, not failing.</summary>
    private static IResult Busy(HttpContext context, string message)
    {
        context.Response.Headers.RetryAfter = "1";
        return OpenAIErrors.Result(429, message, "rate_limit_error", null, "backend_busy");
    }

    internal static ILogger Logger(HttpContext context)
        => context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Avengers.Gateway");

    internal static async Task<(JsonDocument?, IResult?)> ReadJsonAsync(HttpContext context, long maxBytes)
    {
        if (context.Request.ContentLength > maxBytes)
            return (null, OpenAIErrors.BadRequest($"request body of {context.Request.ContentLength} bytes exceeds the limit of {maxBytes}", null, "body_too_large"));
        try
        {
            // Read whole (Kestrel caps the size) and check the encoding first: System.Text.Json accepts some invalid
            // UTF-8 in names and strings and only fails later, when they are read.
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (buffer.Length > maxBytes) return (null, OpenAIErrors.BadRequest($"request body exceeds the limit of {maxBytes} bytes", null, "body_too_large"));
            if (!System.Text.Unicode.Utf8.IsValid(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
                return (null, OpenAIErrors.BadRequest("the request body is not valid UTF-8"));
            return (JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 64 }), null);
        }
        catch (JsonException ex) { return (null, OpenAIErrors.BadRequest($"malformed JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}")); }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's body errors: only a 413 is about size; bad chunked encoding, a short body and the like are malformed requests.
            bool tooLarge = ex.StatusCode == StatusCodes.Status413PayloadTooLarge;
            return (null, tooLarge ? OpenAIErrors.BadRequest($"request body exceeds the limit of {maxBytes} bytes", null, "body_too_large")
                                   : OpenAIErrors.BadRequest($"request body rejected: {ex.Message}", null, "malformed_body"));
        }
    }

    internal static JsonElement AddModel(JsonElement root)
    {
        if (root.TryGetProperty("model", out _)) return root;
        var copy = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(root.GetRawText())!;
        copy["model"] = JsonSerializer.SerializeToElement("avengers");
        return JsonSerializer.SerializeToElement(copy);
    }

    /// <summary>The request's deadline: the configured one, or less when the request asks (avengers.timeout_seconds; more is capped).</summary>
    private static bool TryReadDeadline(ChatCompletionRequest request, double configured, out double seconds, out string? error)
    {
        seconds = configured;
        error = null;
        if (request.Avengers is not JsonElement a || !a.TryGetProperty("timeout_seconds", out JsonElement t) || t.ValueKind == JsonValueKind.Null) return true;
        if (t.ValueKind != JsonValueKind.Number || !t.TryGetDouble(out double asked) || !(asked > 0) || !double.IsFinite(asked))
        {
            error = $"avengers.timeout_seconds: expected a positive number of seconds (at most {configured:0.###}), found {Shown(t)}";
            return false;
        }
        seconds = Math.Min(asked, configured);
        return true;
    }

    /// <summary>The keys a request's <c>avengers</c> object may hold (timeout_seconds is read with the deadline).</summary>
    private static readonly string[] OverrideKeys = ["strategy", "n", "top_n", "top_k", "alpha", "adaptive", "switch_threshold", "temperature", "timeout_seconds"];

    /// <summary>
    /// The request's <c>avengers</c> overrides: every key applies, or the request is refused with every problem listed
    /// (a wrong type, a value out of range by the same rules as the YAML's strategy section, an unknown key).
    /// </summary>
    private static bool TryReadOverrides(ChatCompletionRequest request, bool artifactHasCosts, out SettingsOverrides overrides, out string? error)
    {
        error = null;
        EnsembleStrategy? strategy = request.Model switch { "avengers-direct" => EnsembleStrategy.Direct, "avengers-vote" => EnsembleStrategy.Vote, "avengers-switch" => EnsembleStrategy.Switch, _ => null };
        int? samples = request.N > 1 ? request.N : null, topN = null, topK = null;
        double? alpha = null, switchThreshold = null;
        float? temperature = null;
        bool? adaptive = null;
        var problems = new List<string>();
        if (request.Avengers is JsonElement a)
        {
            foreach (JsonProperty property in a.EnumerateObject())
                if (!OverrideKeys.Contains(property.Name, StringComparer.Ordinal))
                    problems.Add($"{property.Name}: unknown override (expected {string.Join(", ", OverrideKeys)})");
            bool Present(string key, out JsonElement value) => a.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null;
            int? Integer(string key)
            {
                if (!Present(key, out JsonElement v)) return null;
                if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int value)) return value;
                problems.Add($"{key}: expected an integer, found {Shown(v)}");
                return null;
            }
            double? Number(string key)
            {
                if (!Present(key, out JsonElement v)) return null;
                if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double value) && double.IsFinite(value)) return value;
                problems.Add($"{key}: expected a number, found {Shown(v)}");
                return null;
            }
            if (Present("strategy", out JsonElement s))
            {
                if (s.ValueKind == JsonValueKind.String && EnsembleStrategies.TryParse(s.GetString(), out EnsembleStrategy parsed)) strategy = parsed;
                else problems.Add($"strategy: expected one of \"direct\", \"vote\", \"switch\", found {Shown(s)}");
            }
            samples = Integer("n") ?? samples;
            topN = Integer("top_n");
            topK = Integer("top_k");
            switchThreshold = Number("switch_threshold");
            temperature = Number("temperature") is double t ? (float)t : null;
            alpha = Number("alpha");
            if (alpha is not null && !artifactHasCosts) problems.Add("alpha: the router artifact has no cost data (calibrate with --prices)");
            if (Present("adaptive", out JsonElement ad))
            {
                if (ad.ValueKind is JsonValueKind.True or JsonValueKind.False) adaptive = ad.GetBoolean();
                else problems.Add($"adaptive: expected true or false, found {Shown(ad)}");
            }
        }
        overrides = new SettingsOverrides
        {
            Strategy = strategy,
            Samples = samples,
            TopN = topN,
            TopK = topK,
            Alpha = alpha,
            Adaptive = adaptive,
            SwitchThreshold = switchThreshold,
            Temperature = temperature,
        };
        // Ranges: the one rule set the YAML's strategy section is checked by too.
        problems.AddRange(overrides.Problems());
        if (problems.Count == 0) return true;
        error = "avengers." + string.Join("; avengers.", problems);
        return false;
    }

    /// <summary>A JSON value as the client sent it, shortened: for error messages.</summary>
    internal static string Shown(JsonElement value)
    {
        string raw = value.GetRawText();
        return raw.Length <= 40 ? raw : raw[..37] + "...";
    }

    private static EnsembleDecision? DecisionOf(AdditionalPropertiesDictionary? properties)
        => properties is not null && properties.TryGetValue(SettingsOverrides.Key, out object? value) ? value as EnsembleDecision : null;

    /// <summary>
    /// Each ranked model's score and, with live feedback, its calibrated score beside it, the live answers behind it and
    /// the scale of a model found changed as a whole: "calc;score=0.7120;calibrated=0.7400;live=12.0, scribe;score=0.6010"
    /// (names percent-encoded, with ',', ';' and '=' too).
    /// </summary>
    internal static string Scores(IReadOnlyList<Avengers.Routing.RankedModel> models)
    {
        var text = new StringBuilder();
        foreach (Avengers.Routing.RankedModel model in models)
        {
            if (text.Length > 0) text.Append(", ");
            text.Append(HeaderValue.Encode(model.Model).Replace(",", "%2C").Replace(";", "%3B").Replace("=", "%3D"));
            text.Append(";score=").Append(model.Score.ToString("F4", CultureInfo.InvariantCulture));
            if (model.CalibratedScore is double calibrated) text.Append(";calibrated=").Append(calibrated.ToString("F4", CultureInfo.InvariantCulture));
            if (model.LiveAnswered is double live) text.Append(";live=").Append(live.ToString("F1", CultureInfo.InvariantCulture));
            if (model.CalibrationScale is double scale) text.Append(";scale=").Append(scale.ToString("F3", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    private static void AddHeaders(HttpResponse response, EnsembleDecision decision)
    {
        // Every text from backends, answers or config goes through HeaderValue: Kestrel refuses a header byte outside visible ASCII.
        response.Headers["x-avengers-strategy"] = HeaderValue.Encode(decision.Strategy);
        response.Headers["x-avengers-cluster"] = decision.Cluster.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-avengers-similarity"] = decision.Similarity.ToString("F4", CultureInfo.InvariantCulture);
        response.Headers["x-avengers-model"] = HeaderValue.Encode(decision.ChosenModel);
        response.Headers["x-avengers-ranked"] = string.Join(",", decision.Models.Select(m => HeaderValue.Encode(m.Model).Replace(",", "%2C")));
        response.Headers["x-avengers-scores"] = Scores(decision.Models);
        response.Headers["x-avengers-samples"] = $"{decision.SamplesUsed}/{decision.SamplesRequested}";
        response.Headers["x-avengers-routing-ms"] = decision.RoutingMilliseconds.ToString("F2", CultureInfo.InvariantCulture);
        if (decision.Winner is not null) response.Headers["x-avengers-winner"] = HeaderValue.Encode(decision.Winner);
        if (decision.ArtifactHash is not null) response.Headers["x-avengers-artifact"] = HeaderValue.Encode(decision.ArtifactHash);
        if (decision.CostUsd is double cost) response.Headers["x-avengers-cost-usd"] = cost.ToString("G6", CultureInfo.InvariantCulture);
        if (decision.Cache is string cache) response.Headers["x-avengers-cache"] = HeaderValue.Encode(cache);
    }
}
