using System.Diagnostics.Metrics;
using Avengers.Ensemble;
using Avengers.Routing;
using Avengers.Server.Fleet;
using Avengers.Server.Gateway;
using StackExchange.Redis;
using Avengers.Answers;

namespace Avengers.Server.Feedback;

/// <summary>
/// Learns from users' verdicts on answers. Every ensemble answer's decision is remembered for a while; a rating of
/// it (<c>POST /v1/feedback</c>, once, by the key that received it) becomes evidence per model: for a choice, math
/// or exact answer every model whose sample agreed with the judged answer gets the verdict's outcome and every model
/// that disagreed the opposite (several samples of one model count as one answer, their mean); a free-text answer
/// credits only the model that gave it. The evidence is added to the router's live counts (see
/// <see cref="Scoring.LiveEvidence"/>); in fleet mode it is appended to a Redis stream that every replica reads from
/// where it stopped (<see cref="RedisFeedbackLog"/>), so feedback given to one replica counts on all, once each.
/// </summary>
internal sealed class FeedbackService(Func<GatewayRuntime> runtimeFactory, IDecisionMemory memory, RedisFleet? fleet, ILogger<FeedbackService> logger, IMeterFactory? meters = null,
    IFeedbackLog? log = null, RatingAllowance? allowance = null, TimeProvider? time = null)
    : BackgroundService
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TaskCompletionSource _replayed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Completes once the log was replayed into the artifact served at start (immediately without a log).</summary>
    public Task Replayed => _replayed.Task;
    private GatewayRuntime? _runtime;
    private readonly RedisFeedbackLog? _stream = fleet is null ? null : new RedisFeedbackLog(fleet);
    private RedisValue _last = "0"; // the last stream entry applied (fleet mode; read and written by ExecuteAsync's loop alone)

    /// <summary>How often a replica reads the stream for ratings given anywhere in the fleet, when it has read all there was.</summary>
    internal static readonly TimeSpan StreamPoll = TimeSpan.FromMilliseconds(100);
    private readonly Counter<long>? _verdicts = meters?.Create(GatewayMetrics.MeterName).CreateCounter<long>("avengers_gateway_feedback", description: "Ratings applied, by verdict (right, wrong, partial)");

    private GatewayRuntime Runtime => _runtime ??= runtimeFactory();

    /// <summary>Remembers an answer's decision so that it can be rated.</summary>
    public Task RememberAsync(string id, string key, string query, EnsembleDecision decision, CancellationToken cancellationToken)
        => memory.RememberAsync(new RememberedDecision
        {
            Id = id,
            Key = key,
            Query = query,
            ArtifactSha = decision.ArtifactHash,
            AnswerType = decision.AnswerType,
            ReturnedModel = decision.ChosenModel,
            Winner = decision.Winner,
            Clusters = [.. decision.Clusters.Select(c => new[] { c.Cluster, c.Weight })],
            Samples = decision.SampleAnswers,
        }, cancellationToken);

    /// <summary>
    /// Applies a rating of answer <paramref name="id"/> by <paramref name="key"/>: score in [0, 1]; <paramref name="model"/>
    /// judges that member's answer instead of the returned one; <paramref name="comment"/> (secrets redacted) is kept
    /// with the rating in the log and written to the gateway's log at Information level, once the rating is applied.
    /// </summary>
    public async Task<(RatingResult Result, string? Detail)> RateAsync(string id, string key, double score, string? model, CancellationToken cancellationToken, string? comment = null)
    {
        // Another key's answer is "unknown" to this key: its existence is not revealed.
        RememberedDecision? found;
        try { found = await memory.FindAsync(id, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (ex is RedisException or TimeoutException) { return (RatingResult.StoreUnavailable, null); }
        if (found is not { } decision || decision.Key != key) return (RatingResult.UnknownId, null);
        if (model is not null && decision.Samples.All(s => s.Model != model))
            return (RatingResult.UnknownModel, $"'{model}' did not answer this request (it asked: {string.Join(", ", decision.Samples.Select(s => s.Model).Distinct())})");
        if (allowance is not null)
        {
            (bool taken, TimeSpan retryAfter) = await allowance.TryTakeAsync(key, cancellationToken).ConfigureAwait(false);
            if (!taken) return (RatingResult.CapReached, ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        bool first;
        try { first = await memory.TryMarkRatedAsync(id, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            if (allowance is not null) await allowance.ReturnAsync(key, cancellationToken).ConfigureAwait(false);
            return (RatingResult.StoreUnavailable, null);
        }
        if (!first)
        {
            if (allowance is not null) await allowance.ReturnAsync(key, cancellationToken).ConfigureAwait(false);
            return (RatingResult.AlreadyRated, null);
        }

        LiveUpdate update = new(decision.ArtifactSha ?? "", decision.Clusters, Outcomes(decision, score, model));
        comment = comment is null ? null : BackendFailures.Redact(comment);
        if (comment is not null) GatewayLog.FeedbackComment(logger, id, comment);
        string line = FeedbackRecords.Line(FeedbackRecords.Of(decision, update.Outcomes), Now, comment);
        _verdicts?.Add(1, new KeyValuePair<string, object?>("verdict", score >= 1 ? "right" : score <= 0 ? "wrong" : "partial"));
        if (_stream is not null)
        {
            try
            {
                await _stream.AddAsync(line, update, cancellationToken).ConfigureAwait(false);
                return (RatingResult.Applied, null); // every replica, this one included, applies it from the stream
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                GatewayLog.FeedbackNotShared(logger, id, BackendFailures.Redact(ex.Message));
            }
        }
        else if (log is not null)
        {
            // The log is for the next calibration: losing a line must not lose the rating.
            try { await log.AppendAsync(line, cancellationToken).ConfigureAwait(false); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                GatewayLog.FeedbackNotLogged(logger, id, BackendFailures.Redact(ex.Message));
            }
        }
        Apply(update);
        return (RatingResult.Applied, null);
    }

    /// <summary>The rule that turns one verdict into each model's outcome (see the class summary).</summary>
    internal static IReadOnlyList<ModelOutcome> Outcomes(RememberedDecision decision, double score, string? judgedModel)
    {
        string judged = judgedModel ?? decision.ReturnedModel;
        string? judgedAnswer = judgedModel is null ? decision.Winner ?? decision.Samples.FirstOrDefault(s => s.Model == judged)?.Answer
                                                   : decision.Samples.FirstOrDefault(s => s.Model == judged && s.Answer is not null)?.Answer;
        bool votable = AnswerTypes.TryParse(decision.AnswerType, out AnswerType type) && type.IsVotable();
        if (!votable || judgedAnswer is null) return [new ModelOutcome(judged, score)];
        return [.. decision.Samples.Where(s => s.Answer is not null).GroupBy(s => s.Model)
            .Select(g => new ModelOutcome(g.Key, g.Average(s => s.Answer == judgedAnswer ? score : 1 - score)))];
    }

    /// <summary>Adds an update to the live counts of the artifact it was made under (another artifact's clusters differ: skipped).</summary>
    private void Apply(LiveUpdate update)
    {
        ClusterRouter router = Runtime.Router;
        if (router.Live is not { } live || (update.ArtifactSha.Length > 0 && update.ArtifactSha != router.Artifact.FileHash)) return;
        (int Cluster, double Weight)[] clusters = [.. update.Clusters.Where(c => c.Length == 2).Select(c => ((int)c[0], c[1]))];
        foreach (ModelOutcome outcome in update.Outcomes)
        {
            int model = IndexOf(live.Models, outcome.Model);
            if (model >= 0) live.Add(clusters, model, Math.Clamp(outcome.Outcome, 0, 1));
        }
    }

    private static int IndexOf(IReadOnlyList<string> models, string model)
    {
        for (int i = 0; i < models.Count; i++) if (models[i] == model) return i;
        return -1;
    }

    /// <summary>
    /// Live evidence outlives the process and the artifact: the logged ratings (<c>feedback.log</c>, or the Redis list in
    /// fleet mode) are replayed into the router being served, at start and after every rollout. Each logged question is
    /// routed again by that router (a new artifact has other clusters) and its outcomes added with the time they were
    /// given, so they count as decayed as they would had the gateway never stopped. Ratings older than twenty
    /// half-lives (a weight under one in a million) and lines without a time are left out.
    /// </summary>
    private async Task ReplayAsync(CancellationToken cancellationToken)
    {
        if (log is null || Runtime.Router.Live is null) return;
        await AddLinesAsync(await log.ReadAllAsync(cancellationToken).ConfigureAwait(false), report: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds logged ratings to the served router's live counts, each question routed again by it (see <see cref="ReplayAsync"/>).</summary>
    private async Task AddLinesAsync(IEnumerable<string> lines, bool report, CancellationToken cancellationToken)
    {
        GatewayRuntime runtime = Runtime;
        ClusterRouter router = runtime.Router;
        if (router.Live is not { } live) return;
        DateTimeOffset until = Now;
        TimeSpan horizon = TimeSpan.FromHours(runtime.Config.Feedback.HalfLifeHours * 20);
        var ratings = new List<(string Query, IReadOnlyList<ModelOutcome> Outcomes, DateTimeOffset RatedAt)>();
        int unreadable = 0, old = 0;
        foreach (string line in lines)
        {
            if (!FeedbackRecords.TryParse(line, out var rating)) unreadable++;
            else if (rating.RatedAt < until && until - rating.RatedAt <= horizon) ratings.Add(rating);
            else old++;
        }
        Avengers.Routing.RoutingOptions routing = runtime.Defaults.Routing;
        foreach (var chunk in ratings.Chunk(64))
        {
            var embedded = await runtime.QueryEmbedder.GenerateAsync([.. chunk.Select(r => r.Query)], cancellationToken: cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < chunk.Length; i++)
            {
                RoutingDecision decision = router.Route(embedded[i].Vector.Span, routing);
                (int Cluster, double Weight)[] clusters = [.. decision.Clusters.Select(c => (c.Cluster, c.Weight))];
                foreach (ModelOutcome outcome in chunk[i].Outcomes)
                    if (IndexOf(live.Models, outcome.Model) is int model and >= 0) live.Add(clusters, model, Math.Clamp(outcome.Outcome, 0, 1), chunk[i].RatedAt);
            }
        }
        if (report && ratings.Count + unreadable + old > 0) GatewayLog.FeedbackReplayed(logger, ratings.Count, router.Artifact.FileHash, unreadable, old);
    }

    private async Task ReplaySafelyAsync(CancellationToken cancellationToken)
    {
        try { await ReplayAsync(cancellationToken).ConfigureAwait(false); }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or RedisException or TimeoutException or InvalidOperationException)
        {
            GatewayLog.FeedbackReplayFailed(logger, BackendFailures.Redact(ex.Message));
        }
    }

    /// <summary>
    /// Replays the log into the served router, and into each one a rollout swaps in. In fleet mode one loop does it and
    /// then applies each new entry of the stream, once, in order: a replay and the entries after it never overlap.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_stream is null)
        {
            Runtime.ArtifactSwapped += sha => _ = ReplaySafelyAsync(stoppingToken);
            await ReplaySafelyAsync(stoppingToken).ConfigureAwait(false);
            _replayed.TrySetResult();
            return;
        }
        int swapped = 1; // the artifact served at start wants its replay too
        Runtime.ArtifactSwapped += _ => Interlocked.Exchange(ref swapped, 1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (Interlocked.Exchange(ref swapped, 0) == 1 && !await ReplayStreamAsync(stoppingToken).ConfigureAwait(false))
                {
                    Volatile.Write(ref swapped, 1); // replayed when Redis answers again
                    await DelayQuietly(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
                    continue;
                }
                const int Batch = 256;
                var entries = await _stream.ReadAfterAsync(_last, Batch, stoppingToken).ConfigureAwait(false);
                foreach (var (id, line, update) in entries)
                {
                    if (Volatile.Read(ref swapped) == 1) break; // a new artifact: its replay covers this entry and the rest
                    if (update is null && line is null) GatewayLog.MalformedFeedbackEntry(logger, id.ToString(), fleet!.Prefix + RedisFeedbackLog.Key);
                    else await ApplyEntryAsync(line, update, stoppingToken).ConfigureAwait(false);
                    _last = id;
                }
                if (entries.Count < Batch) await Task.Delay(StreamPoll, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception ex) when (ex is RedisException or TimeoutException) { await DelayQuietly(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false); }
        }
    }

    /// <summary>
    /// Fleet mode's replay: every logged rating into the served router; reading then goes on after the last. False when
    /// Redis could not be read (tried again); a rating that cannot be added is logged and passed over, never added twice.
    /// </summary>
    private async Task<bool> ReplayStreamAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> lines;
        try { (lines, _last) = await _stream!.ReadAllAsync(cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            GatewayLog.FeedbackReplayFailed(logger, BackendFailures.Redact(ex.Message));
            _replayed.TrySetResult();
            return false;
        }
        await AddSafelyAsync(lines, report: true, cancellationToken).ConfigureAwait(false);
        _replayed.TrySetResult();
        return true;
    }

    /// <summary>One rating read from the stream: its update where it was made under the served artifact, else its question routed again.</summary>
    private async Task ApplyEntryAsync(string? line, LiveUpdate? update, CancellationToken cancellationToken)
    {
        if (update is null || (update.ArtifactSha.Length > 0 && update.ArtifactSha != Runtime.Router.Artifact.FileHash))
        {
            if (line is not null) await AddSafelyAsync([line], report: false, cancellationToken).ConfigureAwait(false);
            return;
        }
        try { Apply(update); }
        catch (Exception ex) when (ex is ArgumentException or InvalidCastException or OverflowException)
        {
            GatewayLog.FeedbackReplayFailed(logger, BackendFailures.Redact(ex.Message)); // passed over: the replica reads on
        }
    }

    /// <summary><see cref="AddLinesAsync"/>, its failure logged: one rating that cannot be added must not stop the replica from reading the rest.</summary>
    private async Task AddSafelyAsync(IEnumerable<string> lines, bool report, CancellationToken cancellationToken)
    {
        try { await AddLinesAsync(lines, report, cancellationToken).ConfigureAwait(false); }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            GatewayLog.FeedbackReplayFailed(logger, BackendFailures.Redact(ex.Message));
        }
    }

    private static async Task DelayQuietly(TimeSpan delay, CancellationToken cancellationToken)
    {
        try { await Task.Delay(delay, cancellationToken).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }
}
