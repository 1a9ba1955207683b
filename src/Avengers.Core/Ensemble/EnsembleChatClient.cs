using System.Diagnostics;
using System.Runtime.CompilerServices;
using Avengers.Routing;
using Avengers.Voting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Avengers.Answers;

namespace Avengers.Ensemble;

/// <summary>
/// The method as an <see cref="IChatClient"/>: embeds the conversation's last user turn, routes it to
/// the cluster's best member models, samples them, and returns the response whose answer wins the vote.
/// Each member is itself an <see cref="IChatClient"/> (one per backend model), keyed by the model name
/// the router artifact uses; the whole history is sent to the members.
/// </summary>
public sealed class EnsembleChatClient : IChatClient
{
    private readonly IReadOnlyDictionary<string, IChatClient> _members;
    private readonly ClusterRouter _router;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embedder;
    private readonly EnsembleSettings _defaults;
    private readonly HashSet<string> _available;
    private readonly ILogger _logger;
    private readonly EnsembleMetrics? _metrics;

    /// <exception cref="ArgumentException">No member serves a model the router selected, or the options are invalid.</exception>
    public EnsembleChatClient(IReadOnlyDictionary<string, IChatClient> members, ClusterRouter router,
        IEmbeddingGenerator<string, Embedding<float>> embedder, EnsembleSettings? defaults = null, ILogger<EnsembleChatClient>? logger = null,
        EnsembleMetrics? metrics = null)
    {
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _metrics = metrics;
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(embedder);
        _members = members;
        _router = router;
        _embedder = embedder;
        _defaults = defaults ?? new EnsembleSettings();
        _defaults.Validate();
        _available = router.Artifact.Manifest.Selected.Where(members.ContainsKey).ToHashSet(StringComparer.Ordinal);
        if (_available.Count == 0)
            throw new ArgumentException($"no member serves a model the router selected ({string.Join(", ", router.Artifact.Manifest.Selected)}); members: {string.Join(", ", members.Keys)}");
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        List<ChatMessage> history = [.. messages];
        Routed routed = await RouteAsync(history, options, cancellationToken).ConfigureAwait(false);
        return routed.Settings.Strategy == EnsembleStrategy.Direct
            ? await DirectAsync(history, options, routed, cancellationToken).ConfigureAwait(false)
            : await VoteAsync(history, options, routed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Direct requests stream the backend's tokens through (falling back to the next-ranked model only
    /// before the first update); voting strategies stream the winning response once it is decided.
    /// </summary>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<ChatMessage> history = [.. messages];
        Routed routed = await RouteAsync(history, options, cancellationToken).ConfigureAwait(false);
        if (routed.Settings.Strategy != EnsembleStrategy.Direct)
        {
            ChatResponse response = await VoteAsync(history, options, routed, cancellationToken).ConfigureAwait(false);
            bool first = true;
            foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
            {
                // The explanation rides on the first update, as in the direct path (the endpoint turns it into headers).
                if (first && response.AdditionalProperties?.TryGetValue(SettingsOverrides.Key, out object? decision) == true)
                    (update.AdditionalProperties ??= [])[SettingsOverrides.Key] = decision;
                first = false;
                yield return update;
            }
            yield break;
        }

        var errors = new List<string>();
        int busy = 0;
        foreach (RankedModel model in routed.Decision.Models)
        {
            if (!routed.Budget.TryTake()) { errors.Add($"{model.Model}: not tried, {routed.Budget.Exhausted().Message}"); break; }
            IAsyncEnumerator<ChatResponseUpdate> stream = _members[model.Model].GetStreamingResponseAsync(history, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            ChatResponseUpdate? first = null;
            try
            {
                if (await stream.MoveNextAsync().ConfigureAwait(false)) first = stream.Current;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                errors.Add(Failed(model.Model, ex));
                if (ex is BackendBusyException) busy++;
                await stream.DisposeAsync().ConfigureAwait(false);
                if (BackendFailures.IsClientError(ex))
                    throw new EnsembleException($"{model.Model} rejected the request: {BackendFailures.Describe(ex)}", BackendFailures.StatusOf(ex));
                continue;
            }
            if (first is null)
            {
                // A 200 whose body held no event (malformed JSON, an HTML page): nothing was sent yet, so the next model answers.
                errors.Add(Failed(model.Model, new InvalidDataException("the stream ended before any content")));
                await stream.DisposeAsync().ConfigureAwait(false);
                continue;
            }
            await using (stream)
            {
                EnsembleDecision decision = Explain(routed, model.Model, 1, 1, errors.Count, 0, null, AnswerType.Text, WithPlanNote(routed, errors), new Dictionary<string, ModelUsage>());
                if (first is not null)
                {
                    (first.AdditionalProperties ??= [])[SettingsOverrides.Key] = decision;
                    first.ModelId ??= model.Model;
                    yield return first;
                }
                // After the first update the backend is fixed: a failure now ends the stream with the error.
                while (await stream.MoveNextAsync().ConfigureAwait(false)) yield return stream.Current;
            }
            yield break;
        }
        // As in the non-streamed path: every ranked model at capacity is overload (429), not a fault (502).
        throw new EnsembleException((busy == errors.Count ? "every ranked model is at capacity: " : "every ranked model failed: ") + string.Join("; ", errors),
            allBusy: busy > 0 && busy == errors.Count);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType.IsInstanceOfType(this) ? this
         : serviceKey is null && serviceType == typeof(ClusterRouter) ? _router : null;

    /// <inheritdoc />
    public void Dispose()
    {
        // Members and the embedder are owned by the caller.
    }

    private sealed record Routed(RoutingDecision Decision, EnsembleSettings Settings, double EmbeddingMs, double RoutingMs, string? PlanNote = null)
    {
        /// <summary>The answer type calibration saw in the query's clusters (null: guess from the responses).</summary>
        public AnswerType? KnownType { get; init; }
        /// <summary>The grading rule calibration read the query's clusters by (a regex, a JSON field, case), or null.</summary>
        public GradingRule? KnownRule { get; init; }
        /// <summary>Where the query's embedding came from, when the embedder said (local, shared, miss).</summary>
        public string? CacheTier { get; init; }

        /// <summary>Backend calls this request may still make (samples, switch, fallbacks together).</summary>
        public CallBudget Budget { get; } = new(Settings.MaxCallsPerRequest);
    }

    /// <summary>A request's allowance of backend calls, taken one call at a time from any thread.</summary>
    private sealed class CallBudget(int max)
    {
        private int _left = max;
        public int Max { get; } = max;
        public bool TryTake() => Interlocked.Decrement(ref _left) >= 0;
        public Exception Exhausted() => new CallBudgetExhaustedException($"the request used its {Max} backend calls (max_calls_per_request)");
    }

    private async Task<Routed> RouteAsync(List<ChatMessage> history, ChatOptions? options, CancellationToken cancellationToken)
    {
        ChatMessage lastUser = history.LastOrDefault(m => m.Role == ChatRole.User)
            ?? throw new ArgumentException("the conversation has no user message to route on", nameof(history));
        string query = lastUser.Text;
        if (string.IsNullOrWhiteSpace(query)) throw new ArgumentException("the last user message has no text to route on", nameof(history));

        EnsembleSettings settings = Merge(options);
        long started = Stopwatch.GetTimestamp();
        GeneratedEmbeddings<Embedding<float>> embedded = await _embedder.GenerateAsync([query], cancellationToken: cancellationToken).ConfigureAwait(false);
        double embeddingMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        started = Stopwatch.GetTimestamp();
        RoutingDecision decision = _router.Route(embedded[0].Vector.Span, settings.Routing with { Available = _available });
        string? planNote = null;
        if (settings.Policy is EnsemblePolicy policy)
        {
            // The calibrated policy's per-query parts, the same as in the offline experiment.
            QueryPlan plan = (policy with { Strategy = settings.Strategy.ToWireName(), TopN = settings.TopN, SwitchThreshold = settings.SwitchThreshold }).Plan(decision);
            decision = decision with { Models = plan.Models };
            settings = settings with { Strategy = plan.Options.Strategy };
            planNote = plan.Reason;
        }
        return new Routed(decision, settings, embeddingMs, Stopwatch.GetElapsedTime(started).TotalMilliseconds, planNote)
        {
            KnownType = ClusterAnswerType(decision),
            KnownRule = ClusterRule(decision),
            CacheTier = embedded[0].AdditionalProperties?.TryGetValue(Avengers.Embedding.EmbeddingCacheTier.Key, out object? tier) == true ? tier as string : null
        };
    }

    private EnsembleSettings Merge(ChatOptions? options)
    {
        if (options?.AdditionalProperties is null || !options.AdditionalProperties.TryGetValue(SettingsOverrides.Key, out object? value) || value is not SettingsOverrides request)
            return _defaults;
        return _defaults.With(request);
    }

    private async Task<ChatResponse> DirectAsync(List<ChatMessage> history, ChatOptions? options, Routed routed, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        int busy = 0;
        foreach (RankedModel model in routed.Decision.Models)
        {
            if (!routed.Budget.TryTake()) { errors.Add($"{model.Model}: not tried, {routed.Budget.Exhausted().Message}"); break; }
            try
            {
                ChatResponse response = await _members[model.Model].GetResponseAsync(history, options, cancellationToken).ConfigureAwait(false);
                return Attach(response, Explain(routed, model.Model, 1, 1, errors.Count, 0, null, AnswerType.Text, WithPlanNote(routed, errors), ModelUsage.Of([(model.Model, response)])));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                errors.Add(Failed(model.Model, ex)); // fall back to the next-ranked model...
                if (ex is BackendBusyException) busy++;
                // ...unless the backend refused the request itself: the next model would refuse it too.
                if (BackendFailures.IsClientError(ex))
                    throw new EnsembleException($"{model.Model} rejected the request: {BackendFailures.Describe(ex)}" + (errors.Count > 1 ? $" (tried: {string.Join("; ", errors)})" : ""), BackendFailures.StatusOf(ex));
            }
        }
        // Every ranked model at capacity is overload, not a fault: the client should come back shortly (429).
        throw new EnsembleException((busy == errors.Count ? "every ranked model is at capacity: " : "every ranked model failed: ") + string.Join("; ", errors),
            allBusy: busy > 0 && busy == errors.Count);
    }

    private async Task<ChatResponse> VoteAsync(List<ChatMessage> history, ChatOptions? options, Routed routed, CancellationToken cancellationToken)
    {
        EnsembleSettings settings = routed.Settings;
        IReadOnlyList<RankedModel> ranked = routed.Decision.Models;
        var sampleOptions = options?.Clone() ?? new ChatOptions();
        sampleOptions.Temperature ??= settings.Temperature;
        sampleOptions.AdditionalProperties?.Remove(SettingsOverrides.Key);

        int topN = settings.Strategy == EnsembleStrategy.Switch ? 1 : Math.Min(settings.TopN, ranked.Count);
        var plan = Enumerable.Range(0, settings.Samples).Select(i => i % topN).ToList();
        SampleBatch batch = await SampleAsync(history, sampleOptions, ranked, plan, settings, routed.KnownType, routed.KnownRule, routed.Budget, cancellationToken).ConfigureAwait(false);
        var notes = new List<string>();
        if (settings.Strategy == EnsembleStrategy.Switch && ranked.Count > 1)
        {
            // The one switch rule (VoteTally's): when every sample of the top model failed, none voted and the next model is sampled.
            VoteResult first = batch.Results.Count == 0 ? new VoteResult(null, -1, [], 0)
                : Decide(batch, ranked, settings, routed.KnownType, routed.KnownRule, out _).Choice.Vote ?? new VoteResult(null, -1, [], 0);
            if (VoteTally.CallsForNextModel(first, settings.SwitchThreshold))
            {
                notes.Add($"top model agreement {first.Agreement:F2} below {settings.SwitchThreshold:F2}: {ranked[1].Model} sampled too");
                SampleBatch second = await SampleAsync(history, sampleOptions, ranked, [.. Enumerable.Repeat(1, settings.Samples)], settings, routed.KnownType, routed.KnownRule, routed.Budget, cancellationToken).ConfigureAwait(false);
                batch = batch.Concat(second);
            }
            else batch = batch with { Saved = batch.Saved + settings.Samples };
        }

        if (batch.Results.Count == 0)
        {
            notes.Add("every sample failed: falling back to one direct call per ranked model");
            return await DirectAsync(history, options, routed, cancellationToken).ConfigureAwait(false);
        }
        if (batch.Failed > 0) notes.Add($"{batch.Failed} of {batch.Requested} samples failed; the vote used the rest");

        (VoteOutcome choice, Sample chosen) = Decide(batch, ranked, settings, routed.KnownType, routed.KnownRule, out AnswerType type);
        VoteResult vote = choice.Vote ?? new VoteResult(null, -1, [], batch.Results.Count);
        if (vote.Winner is null || !type.IsVotable())
            notes.Add(type.IsVotable() ? "no sample had an extractable answer: the top model's first sample is returned"
                                       : "free-text answers are not voted on: the top model's first sample is returned");

        notes.AddRange(batch.Errors);
        IReadOnlyDictionary<string, ModelUsage> usage = ModelUsage.Of(batch.Results.Select(r => (r.Model, r.Response)));
        EnsembleDecision decision = Explain(routed, chosen.Model, batch.Requested, batch.Results.Count, batch.Failed, batch.Saved, vote, type, notes, usage)
            with
        { SampleAnswers = [.. batch.Results.Select(r => new SampleAnswer(r.Model, r.Answer))] };
        chosen.Response.Usage = ModelUsage.Total(usage); // the caller consumed every sample, not just the one returned
        return Attach(chosen.Response, decision);
    }

    private sealed record Sample(int Rank, int Index, string Model, ChatResponse Response)
    {
        private (AnswerType Type, string? Answer)? _read;

        public string? Answer { get; set; }

        /// <summary>The response's answer read as <paramref name="type"/>: extracted once per sample and type, however often the vote is counted.</summary>
        public string? AnswerAs(AnswerType type, GradingRule? rule)
        {
            if (_read is not { } read || read.Type != type) _read = read = (type, AnswerExtractor.Extract(Response.Text, type, null, rule));
            return read.Answer;
        }
    }

    private sealed record SampleBatch(List<Sample> Results, int Requested, int Failed, int Saved, List<string> Errors)
    {
        public SampleBatch Concat(SampleBatch other) => new([.. Results, .. other.Results], Requested + other.Requested, Failed + other.Failed, Saved + other.Saved, [.. Errors, .. other.Errors]);
    }

    /// <summary>Runs the planned calls (plan[i] = rank of the model for sample i), stopping early when the vote is decided.</summary>
    private async Task<SampleBatch> SampleAsync(List<ChatMessage> history, ChatOptions options, IReadOnlyList<RankedModel> ranked, List<int> plan,
        EnsembleSettings settings, AnswerType? knownType, GradingRule? rule, CallBudget budget, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var gate = new SemaphoreSlim(settings.MaxParallelSamples ?? plan.Count);
        var perModelIndex = new int[ranked.Count];
        var calls = new List<Task<(int Rank, int Index, ChatResponse? Response, Exception? Error)>>();
        foreach (var group in plan.GroupBy(rank => rank).OrderBy(g => g.Key))
        {
            int rank = group.Key, count = group.Count();
            if (count > 1 && _members[ranked[rank].Model].GetService(typeof(IMultiSampleChatClient)) is IMultiSampleChatClient multi && budget.TryTake())
            {
                // The backend can return all of this model's samples from one request (its n parameter).
                Task<IReadOnlyList<ChatResponse>> batch = multi.GetResponsesAsync(history, count, options, stop.Token);
                for (int index = 0; index < count; index++) calls.Add(TakeAsync(batch, rank, index));
                perModelIndex[rank] = count;
                continue;
            }
            for (int i = 0; i < count; i++) calls.Add(CallAsync(rank, perModelIndex[rank]++));
        }

        static async Task<(int, int, ChatResponse?, Exception?)> TakeAsync(Task<IReadOnlyList<ChatResponse>> batch, int rank, int index)
        {
            try
            {
                IReadOnlyList<ChatResponse> responses = await batch.ConfigureAwait(false);
                return index < responses.Count ? (rank, index, responses[index], null) : (rank, index, null, new InvalidOperationException($"the backend returned {responses.Count} samples, fewer than {index + 1}"));
            }
            catch (Exception ex) { return (rank, index, null, ex); }
        }

        async Task<(int, int, ChatResponse?, Exception?)> CallAsync(int rank, int index)
        {
            try
            {
                await gate.WaitAsync(stop.Token).ConfigureAwait(false);
                if (!budget.TryTake()) { gate.Release(); return (rank, index, null, budget.Exhausted()); }
                try { return (rank, index, await _members[ranked[rank].Model].GetResponseAsync(history, options, stop.Token).ConfigureAwait(false), null); }
                finally { gate.Release(); }
            }
            catch (Exception ex) { return (rank, index, null, ex); }
        }

        var results = new List<Sample>();
        var errors = new List<string>();
        int failed = 0, saved = 0;
        var pending = new HashSet<Task<(int Rank, int Index, ChatResponse? Response, Exception? Error)>>(calls);
        // Each ballot's weight, by the rank of its model: as the offline decider weighs it (one vote each unless weighted).
        int voteOptions = settings.Policy?.VoteOptions ?? VoteWeights.DefaultOptions;
        double[] weightOf = [.. ranked.Select(m => settings.Policy?.WeightedVote == true ? VoteWeights.LogOdds(m.Score, voteOptions) : 1.0)];
        // The calls were made model by model, best rank first (as the plan grouped them).
        int[] callRanks = [.. plan.Order()];
        var rankOf = calls.Select((call, i) => (call, rank: callRanks[i])).ToDictionary(x => x.call, x => x.rank);
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            var (rank, index, response, error) = await done.ConfigureAwait(false);
            if (response is not null) results.Add(new Sample(rank, index, ranked[rank].Model, response));
            else if (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested) saved++;
            else
            {
                cancellationToken.ThrowIfCancellationRequested();
                failed++;
                errors.Add(Failed($"{ranked[rank].Model} sample {index}", error!, ranked[rank].Model));
            }

            if (settings.Adaptive && !stop.IsCancellationRequested && pending.Count > 0
                && Decided(results, pending.Sum(p => weightOf[rankOf[p]]), weightOf, knownType, rule))
                await stop.CancelAsync().ConfigureAwait(false); // outstanding calls end as "saved"
        }
        results.Sort((a, b) => a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank) : a.Index.CompareTo(b.Index));
        return new SampleBatch(results, plan.Count, failed, saved, errors);
    }

    /// <summary>
    /// True when the leading answer would still lead even if every outstanding sample voted for the runner-up: the
    /// same <see cref="VoteTally"/> rule, with the same weights, as the offline decider's adaptive stop.
    /// </summary>
    private static bool Decided(List<Sample> results, double outstandingWeight, double[] weightOf, AnswerType? knownType, GradingRule? rule)
    {
        AnswerType type = knownType ?? AnswerTypeDetector.Detect(results.Select(r => r.Response.Text).ToArray());
        if (!type.IsVotable()) return false;
        var tally = new VoteTally();
        foreach (Sample sample in results) tally.Add(new Ballot(sample.AnswerAs(type, rule), sample.Rank, sample.Index, weightOf[sample.Rank]));
        return tally.IsDecided(outstandingWeight);
    }

    /// <summary>
    /// The vote over the gathered samples by <see cref="EnsembleDecider"/>, the component the offline experiment
    /// uses: answers extracted by the detected answer type, ballots in rank then sample order, weighted by the
    /// models' routing scores when the policy says so; ties to the higher-ranked model, then the earlier sample.
    /// </summary>
    private static (VoteOutcome Choice, Sample Chosen) Decide(SampleBatch batch, IReadOnlyList<RankedModel> ranked, EnsembleSettings settings, AnswerType? knownType, GradingRule? rule, out AnswerType type)
    {
        type = knownType ?? AnswerTypeDetector.Detect(batch.Results.Select(r => r.Response.Text).ToArray());
        foreach (Sample sample in batch.Results) sample.Answer = type.IsVotable() ? sample.AnswerAs(type, rule) : null;
        var byRank = batch.Results.GroupBy(r => r.Rank).OrderBy(g => g.Key).Select(g => g.OrderBy(r => r.Index).ToList()).ToList();
        int voteOptions = settings.Policy?.VoteOptions ?? VoteWeights.DefaultOptions;
        var sets = byRank.Select(g => new SampleSet(ranked[g[0].Rank].Model, g.Select(r => r.Answer).ToList(), VoteWeights.LogOdds(ranked[g[0].Rank].Score, voteOptions))).ToList();
        var options = new VoteRule { Strategy = EnsembleStrategy.Vote, TopN = sets.Count, WeightByAccuracy = settings.Policy?.WeightedVote == true };
        VoteOutcome choice = EnsembleDecider.Decide(sets, options);
        int set = sets.FindIndex(s => s.Model == choice.Model);
        return (choice, byRank[set][choice.SampleIndex]);
    }

    /// <summary>The grading rule calibration read the query's clusters by (by match weight, a clear majority), or null.</summary>
    private GradingRule? ClusterRule(RoutingDecision decision)
    {
        RouterManifest manifest = _router.Artifact.Manifest;
        if (manifest.ClusterGradingRules is not { } perCluster || manifest.GradingRules is not { Count: > 0 } rules) return null;
        int rule = MajorityOf(decision, perCluster, r => (uint)r < (uint)rules.Count, -1);
        return rule >= 0 ? rules[rule] : null;
    }

    /// <summary>The answer type calibration saw in the query's clusters (by match weight, a clear majority), or null.</summary>
    private AnswerType? ClusterAnswerType(RoutingDecision decision)
    {
        if (_router.Artifact.Manifest.ClusterAnswerTypes is not { } types) return null;
        string name = MajorityOf(decision, types, t => t.Length > 0, "");
        return AnswerTypes.TryParse(name, out AnswerType type) ? type : null;
    }

    /// <summary>The per-cluster value the query's matched clusters hold by more than half of their weight, else <paramref name="none"/>.</summary>
    private static T MajorityOf<T>(RoutingDecision decision, IReadOnlyList<T> perCluster, Func<T, bool> known, T none) where T : notnull
    {
        var weights = new Dictionary<T, double>();
        foreach (ClusterMatch match in decision.Clusters)
            if ((uint)match.Cluster < (uint)perCluster.Count && known(perCluster[match.Cluster]))
                weights[perCluster[match.Cluster]] = weights.GetValueOrDefault(perCluster[match.Cluster]) + match.Weight;
        if (weights.Count == 0) return none;
        var (value, weight) = weights.MaxBy(p => p.Value);
        return weight > 0.5 ? value : none;
    }

    /// <summary>
    /// Records a backend failure: the client-facing note names the model and a status class only; the backend's
    /// own text (which may echo a key or name an internal address) goes to the log, secrets redacted.
    /// </summary>
    private string Failed(string what, Exception error, string? model = null)
    {
        _metrics?.BackendError(model ?? what);
        string safe = BackendFailures.Describe(error);
        EnsembleLog.BackendCallFailed(_logger, what, safe, BackendFailures.Redact(error.Message));
        return $"{what}: {safe}";
    }

    private static List<string> WithPlanNote(Routed routed, List<string> notes) => routed.PlanNote is null ? notes : [routed.PlanNote, .. notes];

    private EnsembleDecision Explain(Routed routed, string chosen, int requested, int used, int failed, int saved, VoteResult? vote, AnswerType type,
        IReadOnlyList<string> notes, IReadOnlyDictionary<string, ModelUsage> usage)
    {
        EnsembleDecision decision = Describe(routed, chosen, requested, used, failed, saved, vote, type, notes) with { Usage = usage };
        _metrics?.Record(decision, routed.EmbeddingMs, routed.RoutingMs);
        return decision;
    }

    private EnsembleDecision Describe(Routed routed, string chosen, int requested, int used, int failed, int saved, VoteResult? vote, AnswerType type, IReadOnlyList<string> notes) => new()
    {
        Strategy = routed.Settings.Strategy.ToWireName(),
        Cluster = routed.Decision.Cluster,
        Similarity = routed.Decision.Similarity,
        Models = routed.Decision.Models,
        AnswerType = type.ToWireName(),
        Tally = vote?.Tally ?? [],
        Winner = vote?.Winner,
        ChosenModel = chosen,
        SamplesRequested = requested,
        SamplesUsed = used,
        SamplesFailed = failed,
        SamplesSaved = saved,
        RoutingMilliseconds = routed.EmbeddingMs + routed.RoutingMs,
        ArtifactHash = _router.Artifact.FileHash,
        Cache = routed.CacheTier,
        Clusters = routed.Decision.Clusters,
        SampleAnswers = [new SampleAnswer(chosen, null)],
        Notes = [.. notes],
    };

    private static ChatResponse Attach(ChatResponse response, EnsembleDecision decision)
    {
        (response.AdditionalProperties ??= [])[SettingsOverrides.Key] = decision;
        response.ModelId ??= decision.ChosenModel;
        return response;
    }
}
