using System.Collections.Concurrent;
using System.Diagnostics;
using Avengers.Data;
using Avengers.Ensemble;
using Microsoft.Extensions.AI;

namespace Avengers.Collection;

/// <summary>
/// Stage I's first step on a user's own models: every model answers every question (several samples each), and
/// each finished (question, model) is appended to a <see cref="CollectionJournal"/> at once. Members are the
/// gateway's own clients (its resilience pipeline, bounded queues and keys); a model's samples come from one
/// request with n when its backend honours it. A sample that fails for good is recorded with its error class.
/// </summary>
public static class Collector
{
    /// <summary>Asks every model every question not yet on disk, appending each answered pair to the journal as it completes.</summary>
    /// <param name="questions">What to ask, in order.</param>
    /// <param name="members">One client per model, keyed by the name the outputs are recorded under.</param>
    /// <param name="journal">The output file, resumed.</param>
    /// <param name="options">Samples, temperature, prompt, budget.</param>
    /// <param name="progress">Pairs done, failures, tokens and cost so far.</param>
    /// <param name="cancellationToken">Stops cleanly: what is on disk stays.</param>
    public static async Task<CollectResult> RunAsync(IReadOnlyList<Question> questions, IReadOnlyDictionary<string, IChatClient> members, CollectionJournal journal,
        CollectOptions options, IProgress<CollectProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options.Samples is < 1 or > EnsembleSettings.MaxSamples) throw new ArgumentException($"samples must lie in [1, {EnsembleSettings.MaxSamples}] (got {options.Samples})");
        if (members.Count == 0) throw new ArgumentException("no models to collect from");
        string[] models = [.. members.Keys.Order(StringComparer.Ordinal)];
        var pending = new List<(Question Question, string Model)>();
        int alreadyDone = 0;
        foreach (Question question in questions)
            foreach (string model in models)
                if (journal.IsDone(question.Id, model)) alreadyDone++;
                else pending.Add((question, model));

        if (options.MaxCostUsd is double limit && !(limit > 0 && double.IsFinite(limit))) throw new ArgumentException($"the cost budget must be a positive number of USD (got {limit})");
        var gates = models.ToDictionary(m => m, _ => new SemaphoreSlim(options.ConcurrencyPerModel), StringComparer.Ordinal);
        var errors = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var firstErrors = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        long tokens = 0, calls = 0;
        int written = 0, failedSamples = 0;
        // The budget covers the whole file: what earlier runs spent counts.
        double prior = journal.CostUsd(options.Prices), spent = 0, reserved = 0, costliestPair = journal.CostliestPairUsd(options.Prices);
        var spentGate = new object();
        bool stoppedAtBudget = false;
        // Until one pair has a price, pairs run one at a time: the estimate that bounds the pairs in flight comes from it.
        using var probe = new SemaphoreSlim(1);
        var watch = Stopwatch.StartNew();
        using var reporter = new Timer(_ => Report(), null, options.ProgressEvery, options.ProgressEvery);

        void Report()
        {
            int done = Volatile.Read(ref written);
            double rate = Interlocked.Read(ref calls) / Math.Max(watch.Elapsed.TotalSeconds, 1e-3);
            double pairRate = done / Math.Max(watch.Elapsed.TotalSeconds, 1e-3);
            TimeSpan? left = pairRate > 0 ? TimeSpan.FromSeconds((pending.Count - done) / pairRate) : null;
            double cost;
            lock (spentGate) cost = spent;
            progress?.Report(new CollectProgress(alreadyDone + done, alreadyDone + pending.Count, rate, left, Interlocked.Read(ref tokens), cost, new Dictionary<string, int>(errors)));
        }

        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.ConcurrencyPerModel * models.Length), CancellationToken = cancellationToken },
            async (item, token) =>
            {
                bool probing = false;
                double reservation = 0;
                if (options.MaxCostUsd is double budget)
                {
                    // (Free or failing pairs cost nothing: after a few of them, the pairs run in parallel again.)
                    lock (spentGate) probing = costliestPair == 0 && Volatile.Read(ref written) < 3;
                    if (probing) await probe.WaitAsync(token).ConfigureAwait(false);
                    lock (spentGate)
                    {
                        // Stop before the budget could be passed: every pair in flight, and this one, may cost the costliest so far.
                        if (stoppedAtBudget || prior + spent + reserved + costliestPair > budget)
                        {
                            stoppedAtBudget = true;
                            if (probing) probe.Release();
                            return;
                        }
                        reservation = costliestPair;
                        reserved += reservation;
                    }
                }
                try
                {
                    SemaphoreSlim gate = gates[item.Model];
                    await gate.WaitAsync(token).ConfigureAwait(false);
                    List<Sample> samples;
                    try { samples = await SampleAsync(members[item.Model], item.Question, options, () => Interlocked.Increment(ref calls), token).ConfigureAwait(false); }
                    finally { gate.Release(); }

                    double cost = 0;
                    foreach (Sample sample in samples)
                    {
                        Interlocked.Add(ref tokens, (sample.InputTokens ?? 0) + (sample.OutputTokens ?? 0));
                        cost += CostOf(sample, item.Model, options.Prices);
                        if (sample.Error is not null)
                        {
                            Interlocked.Increment(ref failedSamples);
                            errors.AddOrUpdate(item.Model, 1, (_, n) => n + 1);
                            firstErrors.TryAdd(item.Model, sample.Error);
                        }
                    }
                    lock (spentGate)
                    {
                        spent += cost;
                        costliestPair = Math.Max(costliestPair, cost);
                    }
                    journal.Append(item.Question, item.Model, samples);
                    Interlocked.Increment(ref written);
                }
                finally
                {
                    lock (spentGate) reserved -= reservation;
                    if (probing) probe.Release();
                }
            }).ConfigureAwait(false);

        Report();
        return new CollectResult(alreadyDone + pending.Count, alreadyDone, written, failedSamples, tokens, spent, stoppedAtBudget, new Dictionary<string, int>(errors),
            prior, options.Samples, new Dictionary<string, string>(firstErrors));
    }

    /// <summary>What one recorded sample cost at the model's prices (USD per million tokens; a model without prices costs nothing).</summary>
    public static double CostOf(Sample sample, string model, IReadOnlyDictionary<string, (double Input, double Output)> prices)
        => prices.TryGetValue(model, out var price) ? ((sample.InputTokens ?? 0) * price.Input + (sample.OutputTokens ?? 0) * price.Output) / 1e6 : 0;

    private static async Task<List<Sample>> SampleAsync(IChatClient member, Question question, CollectOptions options, Action countCall, CancellationToken cancellationToken)
    {
        PromptTemplate template = options.Template ?? PromptTemplate.Default(question.AnswerType);
        List<ChatMessage> messages = [];
        if (template.System is string system) messages.Add(new ChatMessage(ChatRole.System, system));
        messages.Add(new ChatMessage(ChatRole.User, template.Render(question)));
        var chat = new ChatOptions { Temperature = options.Temperature, MaxOutputTokens = options.MaxTokens, ResponseFormat = options.JsonMode || template.Json ? ChatResponseFormat.Json : null };
        var samples = new List<Sample>(options.Samples);

        if (options.Samples > 1 && member.GetService(typeof(IMultiSampleChatClient)) is IMultiSampleChatClient multi)
        {
            long started = Stopwatch.GetTimestamp();
            countCall();
            try
            {
                IReadOnlyList<ChatResponse> responses = await multi.GetResponsesAsync(messages, options.Samples, chat, cancellationToken).ConfigureAwait(false);
                double latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                for (int i = 0; i < options.Samples; i++)
                    samples.Add(i < responses.Count ? SampleOf(responses[i], latency, i == 0) : new Sample { Error = $"the backend returned {responses.Count} samples, fewer than {options.Samples}" });
                return samples;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return [.. Enumerable.Range(0, options.Samples).Select(_ => new Sample { Error = ErrorOf(ex) })];
            }
        }
        for (int i = 0; i < options.Samples; i++)
        {
            long started = Stopwatch.GetTimestamp();
            countCall();
            try
            {
                ChatResponse response = await member.GetResponseAsync(messages, chat, cancellationToken).ConfigureAwait(false);
                samples.Add(SampleOf(response, Stopwatch.GetElapsedTime(started).TotalMilliseconds, true));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                samples.Add(new Sample { Error = ErrorOf(ex) });
            }
        }
        return samples;
    }

    /// <summary>
    /// Recorded in place of a sample that failed: a status class, never the backend's text. A request the backend
    /// refused itself (400, 413, 422) is marked <see cref="CollectionJournal.RejectedPrefix"/>: a rerun would be refused
    /// again, so the journal counts it as done (remove its line to ask again).
    /// </summary>
    private static string ErrorOf(Exception ex)
        => BackendFailures.IsClientError(ex) ? CollectionJournal.RejectedPrefix + BackendFailures.Describe(ex) : BackendFailures.Describe(ex);

    /// <summary>One response as a recorded sample; a request with n reports its prompt tokens once (on the first sample).</summary>
    private static Sample SampleOf(ChatResponse response, double latencyMs, bool countsPrompt)
        => new(response.Text)
        {
            InputTokens = countsPrompt ? response.Usage?.InputTokenCount : 0,
            OutputTokens = response.Usage?.OutputTokenCount,
            LatencyMs = latencyMs,
            FinishReason = response.FinishReason?.Value,
        };
}
