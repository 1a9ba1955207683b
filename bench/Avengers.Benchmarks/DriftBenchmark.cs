using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Avengers.Data;
using Avengers.Embedding;
using Avengers.Evaluation;
using Avengers.Routing;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Avengers.Testbed.Replay;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Avengers.Benchmarks;

/// <summary>
/// Does live feedback follow drift? A benchmark's test questions are replayed through the real gateway over the
/// replay server (recorded answers); halfway through, the best model of the clusters with the most test questions is
/// degraded (its answers there replaced by other models' wrong ones, as a worse quantisation would). Three runs:
/// the calibrated router without feedback (static), the same with feedback from the gold answers on a fraction of
/// the responses, and a router calibrated with the degraded model from the start (the reference after the drift).
/// Prints accuracy over time and how many feedback events each affected cluster needed before the router stopped
/// ranking the degraded model first there; writes a plot.
/// Run: dotnet run -c Release --project bench/Avengers.Benchmarks -- drift [benchmark] [feedback fraction] [clusters] [plot.png]
/// Environment: AVENGERS_BENCH_DRIFT_SKIP (degrade the next clusters by size), AVENGERS_BENCH_CHANGE_THRESHOLD (the
/// detector's threshold), AVENGERS_BENCH_ORDER_SEED and AVENGERS_BENCH_RATING_SEED (the question order, 42, and which
/// answers are rated, 7), AVENGERS_BENCH_DEGRADE (first or random: whose wrong answer a degraded model gives), AVENGERS_BENCH_DRIFT_TRACE=1 (each degraded question after the drift: the degraded model's
/// rank, score and changed clusters), AVENGERS_BENCH_DRIFT_SCOPE (clusters, the default, or model: the model ranked first
/// most often degraded everywhere), AVENGERS_BENCH_DEGRADE_SHARE (the share of its answers that turn wrong, 1).
/// </summary>
internal static class DriftBenchmark
{
    private const string Key = "drift-bench-key-0123";

    public static async Task RunAsync(string[] args)
    {
        string name = args.Length > 1 ? args[1] : "mmlu-pro";
        double fraction = args.Length > 2 ? Number(args[2], "the feedback fraction (second argument)", 0, 1) : 0.2;
        int affectedCount = args.Length > 3 ? (int)Number(args[3], "the number of clusters to degrade (third argument)", 1, 64, whole: true) : 5;
        string plot = args.Length > 4 ? args[4] : "drift.png";
        // AVENGERS_BENCH_ORDER_SEED and AVENGERS_BENCH_RATING_SEED vary the order of the questions and which answers are rated.
        int orderSeed = (int)Setting("AVENGERS_BENCH_ORDER_SEED", 42, 0, int.MaxValue, whole: true);
        int ratingSeed = (int)Setting("AVENGERS_BENCH_RATING_SEED", 7, 0, int.MaxValue, whole: true);
        // AVENGERS_BENCH_DRIFT_SKIP=N degrades the next clusters by size instead (a drift the settings were not chosen on).
        int skip = (int)Setting("AVENGERS_BENCH_DRIFT_SKIP", 0, 0, 1_000, whole: true);
        // AVENGERS_BENCH_CHANGE_THRESHOLD: the feedback setting change_threshold (0 turns the change detector off).
        double threshold = Setting("AVENGERS_BENCH_CHANGE_THRESHOLD", Avengers.Scoring.LiveEvidence.DefaultChangeThreshold, 0, 100);
        if (!Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(plot))))
            throw new ArgumentException($"the plot's folder does not exist: {Path.GetDirectoryName(Path.GetFullPath(plot))} (fourth argument: where to write the plot, a .png)");
        var watch = Stopwatch.StartNew();
        // The gateways' warning for each model found changed would flood this report: counted from the metric instead.
        Environment.SetEnvironmentVariable("Logging__LogLevel__Avengers.Gateway.Feedback", "Error");
        var changes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) => { if (instrument.Name == "avengers_gateway_feedback_model_changes") l.EnableMeasurementEvents(instrument); },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? model = null, scope = "cluster";
            foreach (var tag in tags)
            {
                if (tag.Key == "model") model = (string)tag.Value!;
                if (tag.Key == "scope") scope = (string)tag.Value!;
            }
            if (model is not null) changes.AddOrUpdate(scope == "model" ? model + " (as a whole)" : model, (int)value, (_, n) => n + (int)value);
        });
        listener.Start();

        Benchmark benchmark = BenchmarkReader.Read(await BenchmarkCatalog.ResolveAsync(name, false, Console.WriteLine));
        using EmbeddingStack stack = await EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse("minilm"), EmbeddingStack.DefaultCachePath);
        string dir = Path.Combine(Path.GetTempPath(), "avengers-drift-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);

        // The calibrated router, as 'experiment' makes it (seed 42, its split).
        var options = new ExperimentOptions { Models = BenchmarkCatalog.Find(name)?.Pool };
        var (_, calibrated) = await Experiment.RunAsync(benchmark, stack.Generator, stack.ModelId, options);
        string router = Path.Combine(dir, "router.avengers");
        calibrated.Artifact.Save(router);
        var clusterRouter = new ClusterRouter(calibrated.Artifact);
        IReadOnlyList<string> models = calibrated.Artifact.Manifest.Models;
        DatasetSplit split = DatasetSplit.Create(benchmark.Records, 42);

        // Where every question goes (partition 0's nearest cluster, and the model ranked first there).
        string[] allQueries = [.. benchmark.Records.Select(r => r.Query)];
        var vectors = await EmbeddingRunner.EmbedAllAsync(stack.Generator, allQueries);
        var routed = new Dictionary<string, RoutingDecision>(StringComparer.Ordinal);
        for (int i = 0; i < allQueries.Length; i++) routed[benchmark.Records[i].Id] = clusterRouter.Route(vectors[i]);

        // The test stream: questions asked once (the replay server finds answers by text), in a seeded order.
        var repeated = benchmark.Records.GroupBy(r => r.Query.Trim(), StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        BenchmarkRecord[] stream = [.. split.Test.Where(r => !repeated.Contains(r.Query.Trim()))];
        new Random(orderSeed).Shuffle(stream);
        int half = stream.Length / 2;

        // AVENGERS_BENCH_DRIFT_SCOPE: "clusters" (the default: the clusters with the most test questions lose their top
        // model's quality there) or "model" (the model ranked first on the most test questions loses it everywhere, as a
        // swapped quantisation or a provider's silent update would; the number of clusters is then ignored).
        string scope = Environment.GetEnvironmentVariable("AVENGERS_BENCH_DRIFT_SCOPE") is { Length: > 0 } scopeText ? scopeText : "clusters";
        if (scope is not ("clusters" or "model")) throw new ArgumentException($"AVENGERS_BENCH_DRIFT_SCOPE must be clusters or model, got '{scope}'");
        Dictionary<int, string> affected;
        if (scope == "model")
        {
            string everywhere = stream.GroupBy(r => routed[r.Id].Models[0].Model).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
            affected = routed.Values.Select(d => d.Cluster).Distinct().ToDictionary(c => c, _ => everywhere);
        }
        else
            affected = stream.GroupBy(r => routed[r.Id].Cluster).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Skip(skip).Take(affectedCount)
                .ToDictionary(g => g.Key, g => routed[g.First().Id].Models[0].Model);
        if (scope == "clusters" && affected.Count < affectedCount)
            throw new ArgumentException($"{name}'s test questions reach {affected.Count + skip} clusters; {affectedCount} to degrade after skipping {skip} (AVENGERS_BENCH_DRIFT_SKIP) leaves {affected.Count}");
        Console.WriteLine($"{name}: {stream.Length} test questions, {half} before the drift; degraded: " + (scope == "model"
            ? $"{affected.Values.First()} everywhere (ranked first on {stream.Count(r => routed[r.Id].Models[0].Model == affected.Values.First())} questions)"
            : string.Join(", ", affected.Select(a => $"{a.Value} in cluster {a.Key} ({stream.Count(r => routed[r.Id].Cluster == a.Key)} questions)"))));
        Console.WriteLine($"policy: {calibrated.Artifact.Manifest.Policy?.Describe() ?? "default"}");
        // AVENGERS_BENCH_DEGRADE: whose wrong answer replaces the degraded model's, "first" (the first model in the router's
        // list that answered wrong; the default) or "random" (a seeded draw among all the wrong answers).
        string degradeRule = Environment.GetEnvironmentVariable("AVENGERS_BENCH_DEGRADE") is { Length: > 0 } rule ? rule : "first";
        if (degradeRule is not ("first" or "random")) throw new ArgumentException($"AVENGERS_BENCH_DEGRADE must be first or random, got '{degradeRule}'");
        // AVENGERS_BENCH_DEGRADE_SHARE: the share of the degraded model's answers that turn wrong (1, the default: all of
        // them; less is a milder change, a seeded draw of the questions).
        double share = Setting("AVENGERS_BENCH_DEGRADE_SHARE", 1, 0, 1);
        Benchmark degraded = Degrade(benchmark, models, affected, routed, degradeRule == "random" ? new Random(11) : null, share);
        if (share < 1) Console.WriteLine($"degraded answers: {share:P0} of the degraded model's, a seeded draw");
        if (degradeRule == "random") Console.WriteLine("degraded answers: a seeded draw among the other models' wrong ones");

        await using WebApplication original = ReplayServer.Build(benchmark, "http://127.0.0.1:0");
        await using WebApplication broken = ReplayServer.Build(degraded, "http://127.0.0.1:0");
        await original.StartAsync();
        await broken.StartAsync();
        bool drifted = false;
        await using WebApplication proxy = await SwitchAsync(original.Urls.First(), broken.Urls.First(), () => drifted);

        // Reference: a router calibrated on the degraded recordings from the start.
        var (_, reference) = await Experiment.RunAsync(degraded, stack.Generator, stack.ModelId, options);
        string referenceRouter = Path.Combine(dir, "reference.avengers");
        reference.Artifact.Save(referenceRouter);

        var degradedModels = affected.Values.ToHashSet(StringComparer.Ordinal);
        // Is the degraded model's fall visible against its calibration? Where it is asked, its recorded answer's grade
        // (before and after the degradation) against the score the router gave it there.
        var degradedById = degraded.Records.ToDictionary(r => r.Id, StringComparer.Ordinal);
        double? GradeOf(BenchmarkRecord record, string model) => record.Outputs.TryGetValue(model, out var samples) && samples.Count > 0
            ? Grader.Grade(record, samples[0], Grader.AnswerOf(record, samples[0]), Grader.GoldOf(record)) ?? 0 : null;
        async Task<(double[] Correct, Dictionary<int, int> Events, bool[] Rated)> RunAsync(string artifact, bool feedback, Func<string, string> urlOf, IEnumerable<BenchmarkRecord> asked, int flipAt)
        {
            drifted = false;
            var config = new GatewayConfig
            {
                Listen = "http://127.0.0.1:0",
                Router = artifact,
                Embedding = "minilm",
                EmbeddingCache = EmbeddingStack.DefaultCachePath,
                Strategy = new StrategyConfig { Samples = calibrated.Policy.TopN, Adaptive = false },
                ApiKeys = [new ApiKeyConfig { Name = "drift", KeyEnv = "DRIFT_KEY" }],
                Feedback = new FeedbackConfig { ChangeThreshold = threshold },
                Backends = [.. models.Select(m => new BackendConfig { Name = m, BaseUrl = urlOf(m) + "/v1", MaxConcurrency = 64, MaxQueue = 256 })],
            };
            await using WebApplication gateway = GatewayHost.Build(config, stack, v => v == "DRIFT_KEY" ? Key : null);
            await gateway.StartAsync();
            using var http = new HttpClient { BaseAddress = new Uri(gateway.Urls.First()) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
            var random = new Random(ratingSeed);
            var correct = new List<double>();
            var rated = new List<bool>();
            var eventsSoFar = new Dictionary<int, int>();
            var recovered = new Dictionary<int, int>();
            var askedDegraded = new List<int>();
            int failed = 0;
            var rankDegraded = new List<int>();
            double[] right = new double[2], expected = new double[2]; // before / after the drift
            var rightByModel = new Dictionary<string, (double Right, double Expected, int Asked)>(StringComparer.Ordinal); // before the drift
            int i = 0;
            foreach (BenchmarkRecord record in asked)
            {
                if (i++ == flipAt) drifted = true;
                string body = JsonSerializer.Serialize(new { model = "avengers", messages = new[] { new { role = "user", content = record.Query } } });
                using HttpResponseMessage response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
                using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                if (!response.IsSuccessStatusCode)
                {
                    // Counted as wrong, and said: a run whose answers fail is not a measurement.
                    if (failed++ == 0) Console.WriteLine($"  request failed: {(int)response.StatusCode} {json.RootElement.GetRawText()[..Math.Min(300, json.RootElement.GetRawText().Length)]}");
                    correct.Add(0);
                    rated.Add(false);
                    continue;
                }
                string? text = json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
                string? gold = Grader.GoldOf(record);
                double grade = Grader.Grade(record, new Sample(text), Grader.AnswerOf(record, new Sample(text)), gold) ?? 0;
                correct.Add(grade);
                JsonElement decision = json.RootElement.GetProperty("avengers");
                int cluster = routed[record.Id].Cluster;
                // The models as ranked for this question (the first `requested` of them were asked), read once.
                JsonElement[] ranked = [.. decision.GetProperty("models").EnumerateArray()];
                int requested = decision.GetProperty("samples_requested").GetInt32();
                string top = ranked[0].GetProperty("model").GetString()!;
                int RankOf(string model) => Array.FindIndex(ranked, m => m.GetProperty("model").GetString() == model);
                static double ScoreOf(JsonElement entry) => entry.TryGetProperty("calibrated_score", out JsonElement cs) ? cs.GetDouble() : entry.GetProperty("score").GetDouble();
                if (!drifted && flipAt > 0)
                {
                    // Every asked model's recorded answer against the score the router gave it (live answers run below a
                    // calibration that chose them: how far, per model).
                    foreach (JsonElement entry in ranked.Take(requested))
                    {
                        string member = entry.GetProperty("model").GetString()!;
                        if (GradeOf(record, member) is not double g) continue;
                        var so = rightByModel.GetValueOrDefault(member);
                        rightByModel[member] = (so.Right + g, so.Expected + ScoreOf(entry), so.Asked + 1);
                    }
                }
                if (affected.TryGetValue(cluster, out string? watched))
                {
                    int at = RankOf(watched);
                    BenchmarkRecord served = drifted && flipAt > 0 ? degradedById[record.Id] : record;
                    if (at >= 0 && at < requested && GradeOf(served, watched) is double g)
                    {
                        right[drifted ? 1 : 0] += g;
                        expected[drifted ? 1 : 0] += ScoreOf(ranked[at]);
                    }
                    if (drifted)
                    {
                        int rank = at;
                        askedDegraded.Add(rank >= 0 && rank < requested ? 1 : 0);
                        rankDegraded.Add(rank);
                        if (feedback && Environment.GetEnvironmentVariable("AVENGERS_BENCH_DRIFT_TRACE") == "1")
                        {
                            JsonElement mine = ranked[Math.Max(rank, 0)];
                            Console.WriteLine($"    trace c{cluster} rank {rank + 1} score {mine.GetProperty("score").GetDouble():F3} top {ranked[0].GetProperty("score").GetDouble():F3} " +
                                $"requested {requested} chosen {decision.GetProperty("chosen_model").GetString()} calibrated {(mine.TryGetProperty("calibrated_score", out JsonElement cs) ? cs.GetDouble() : double.NaN):F3} changed_in {(mine.TryGetProperty("changed_in", out JsonElement ch) && ch.ValueKind == JsonValueKind.Array ? ch.GetArrayLength() : 0)} events {eventsSoFar.GetValueOrDefault(cluster)}");
                        }
                    }
                }
                if (drifted && affected.TryGetValue(cluster, out string? bad) && top != bad && !recovered.ContainsKey(cluster))
                    recovered[cluster] = eventsSoFar.GetValueOrDefault(cluster);
                rated.Add(feedback && gold is not null && random.NextDouble() < fraction);
                if (rated[^1])
                {
                    string rating = JsonSerializer.Serialize(new { id = json.RootElement.GetProperty("id").GetString(), correct = grade >= 1 });
                    using HttpResponseMessage ratingResponse = await http.PostAsync("/v1/feedback", new StringContent(rating, Encoding.UTF8, "application/json"));
                    if (drifted) eventsSoFar[cluster] = eventsSoFar.GetValueOrDefault(cluster) + 1;
                }
            }
            if (failed > 0) Console.WriteLine($"  {failed} of {correct.Count} requests failed (counted as wrong)");
            if (failed * 10 > correct.Count)
                throw new InvalidOperationException($"{failed} of {correct.Count} questions of {name} got no answer through the replay server (above); the drift benchmark needs recordings it can replay by question text, as MMLU-Pro's");
            if (askedDegraded.Count > 0)
                Console.WriteLine($"  degraded model asked on {askedDegraded.Average():P0} of the degraded clusters' questions after the drift (mean rank {rankDegraded.Average() + 1:F1}; first/second half {askedDegraded.Take(askedDegraded.Count / 2).Average():P0} / {askedDegraded.Skip(askedDegraded.Count / 2).Average():P0})");
            if (flipAt > 0 && !feedback)
                Console.WriteLine("  before the drift, each asked model right this many times as often as its score said (times asked): " +
                    string.Join(", ", rightByModel.OrderByDescending(m => m.Value.Asked).Select(m => $"{m.Key} {m.Value.Right / m.Value.Expected:F2} ({m.Value.Asked})")));
            if (flipAt > 0 && expected[0] > 0 && expected[1] > 0)
                Console.WriteLine($"  where the degraded model was asked on its clusters, its answers were right {right[0] / expected[0]:F2} / {right[1] / expected[1]:F2} times as often as calibration expected before / after the drift");
            return ([.. correct], recovered, [.. rated]);
        }

        string ProxyOrOriginal(string model) => degradedModels.Contains(model) ? proxy.Urls.First() : original.Urls.First();
        var (staticRun, _, _) = await RunAsync(router, false, ProxyOrOriginal, stream, half);
        var (feedbackRun, events, ratedRun) = await RunAsync(router, true, ProxyOrOriginal, stream, half);
        Console.WriteLine($"  findings of a change in the feedback run: {changes.Values.Sum()} ({string.Join(", ", changes.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value}"))})");
        var (referenceRun, _, _) = await RunAsync(referenceRouter, false, _ => broken.Urls.First(), stream[half..], 0);

        double Mean(IEnumerable<double> xs) => xs.DefaultIfEmpty(0).Average();
        Console.WriteLine();
        Console.WriteLine($"{"run",-44} {"before",8} {"after",8} {"last third after",18}");
        int lastThird = half + (stream.Length - half) * 2 / 3;
        Console.WriteLine($"{"calibrated router, no feedback (static)",-44} {Mean(staticRun[..half]),8:F3} {Mean(staticRun[half..]),8:F3} {Mean(staticRun[lastThird..]),18:F3}");
        Console.WriteLine($"{$"with feedback on {fraction:P0} of the answers",-44} {Mean(feedbackRun[..half]),8:F3} {Mean(feedbackRun[half..]),8:F3} {Mean(feedbackRun[lastThird..]),18:F3}");
        Console.WriteLine($"{"calibrated on the degraded models (reference)",-44} {"",8} {Mean(referenceRun),8:F3} {Mean(referenceRun[(lastThird - half)..]),18:F3}");
        Console.WriteLine($"after the drift, against the reference: feedback {100 * (Mean(feedbackRun[half..]) - Mean(referenceRun)):+0.00;-0.00} points, static {100 * (Mean(staticRun[half..]) - Mean(referenceRun)):+0.00;-0.00}; " +
            $"before it, feedback against static {100 * (Mean(feedbackRun[..half]) - Mean(staticRun[..half])):+0.00;-0.00} (order seed {orderSeed}, rating seed {ratingSeed})");
        // Once recovered: the last third after the drift, where the time a change takes to be found has passed.
        Console.WriteLine($"in the last third after the drift, against the reference: feedback {100 * (Mean(feedbackRun[lastThird..]) - Mean(referenceRun[(lastThird - half)..])):+0.00;-0.00} points, " +
            $"static {100 * (Mean(staticRun[lastThird..]) - Mean(referenceRun[(lastThird - half)..])):+0.00;-0.00}");
        // Where the runs differ after the drift: on the degraded clusters' questions, and on all the others.
        bool[] hit = [.. stream[half..].Select(r => affected.ContainsKey(routed[r.Id].Cluster))];
        double Part(double[] xs, bool inAffected) => Mean(xs.Where((_, i) => hit[i] == inAffected));
        Console.WriteLine($"after the drift, on the {hit.Count(h => h)} questions of the degraded clusters / the {hit.Count(h => !h)} others: " +
            $"static {Part(staticRun[half..], true):F3} / {Part(staticRun[half..], false):F3}, feedback {Part(feedbackRun[half..], true):F3} / {Part(feedbackRun[half..], false):F3}, " +
            $"reference {Part(referenceRun, true):F3} / {Part(referenceRun, false):F3}");
        // How fast a change must be found: an oracle that answers each degraded cluster's questions as the reference does
        // once n of them were rated after the drift (before that, as the feedback run did), everything else as the feedback run.
        var oracle = new List<string>();
        for (int n = 0; n <= 8; n++)
        {
            var ratedIn = new Dictionary<int, int>();
            double total = 0;
            for (int i = half; i < stream.Length; i++)
            {
                int cluster = routed[stream[i].Id].Cluster;
                bool known = affected.ContainsKey(cluster) && ratedIn.GetValueOrDefault(cluster) >= n;
                total += known ? referenceRun[i - half] : feedbackRun[i];
                if (affected.ContainsKey(cluster) && ratedRun[i]) ratedIn[cluster] = ratedIn.GetValueOrDefault(cluster) + 1;
            }
            oracle.Add($"{n}: {total / (stream.Length - half):F3}");
        }
        Console.WriteLine($"after the drift, had the change been known in a cluster once n of its answers were rated (n: accuracy): {string.Join(", ", oracle)}");
        if (scope == "model")
        {
            var wasFirst = stream.Where(r => routed[r.Id].Models[0].Model == affected.Values.First()).Select(r => routed[r.Id].Cluster).ToHashSet();
            int[] needed = [.. events.Where(e => wasFirst.Contains(e.Key)).Select(e => e.Value).Order()];
            Console.WriteLine($"clusters where the router stopped ranking it first: {needed.Length} of the {wasFirst.Count} where it was first" +
                (needed.Length > 0 ? $", after a median of {needed[needed.Length / 2]} feedback events there" : ""));
        }
        else foreach (var (cluster, model) in affected)
            Console.WriteLine($"cluster {cluster} ({model}): " + (events.TryGetValue(cluster, out int n) ? $"the router stopped ranking it first after {n} feedback event(s) there" : "still ranked first at the end"));

        // Accuracy over time, windows of 200 questions.
        const int Window = 200;
        double[] Windows(double[] xs, int offset = 0) => [.. Enumerable.Range(0, xs.Length / Window).Select(w => Mean(xs.Skip(w * Window).Take(Window)))];
        Console.WriteLine();
        Console.WriteLine("accuracy per 200 questions (static | feedback):");
        double[] ws = Windows(staticRun), wf = Windows(feedbackRun);
        Console.WriteLine(string.Join("  ", ws.Zip(wf).Select((p, w) => $"{(w * Window >= half ? "*" : "")}{p.First:F2}|{p.Second:F2}")));
        var figure = new ScottPlot.Plot();
        double[] xs = [.. Enumerable.Range(0, ws.Length).Select(w => (w + 0.5) * Window)];
        var s1 = figure.Add.Scatter(xs, ws); s1.LegendText = "static router";
        var s2 = figure.Add.Scatter(xs, wf); s2.LegendText = $"feedback on {fraction:P0}";
        double[] wr = Windows(referenceRun);
        var s3 = figure.Add.Scatter([.. Enumerable.Range(0, wr.Length).Select(w => half + (w + 0.5) * Window)], wr); s3.LegendText = "calibrated on the degraded models";
        var line = figure.Add.VerticalLine(half); line.LegendText = "drift";
        figure.XLabel("questions asked");
        figure.YLabel($"accuracy per {Window} questions");
        figure.Title(scope == "model" ? $"{name}: {affected.Values.First()} degraded everywhere halfway" : $"{name}: the top model of {affected.Count} clusters degraded halfway");
        figure.ShowLegend();
        figure.SavePng(plot, 800, 450);
        Console.WriteLine($"plot: {plot}; done in {watch.Elapsed.TotalSeconds:F0} s");
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A number given on the command line, checked: the message names the argument and what it must be.</summary>
    private static double Number(string text, string what, double min, double max, bool whole = false)
    {
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value)
            || value < min || value > max || (whole && value != Math.Floor(value)))
            throw new ArgumentException($"{what} must be {(whole ? "a whole number" : "a number")} from {min} to {max}, got '{text}'");
        return value;
    }

    /// <summary>A number from an environment variable (unset or empty: the default), checked as <see cref="Number"/>.</summary>
    private static double Setting(string variable, double fallback, double min, double max, bool whole = false)
        => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text ? Number(text, variable, min, max, whole) : fallback;

    /// <summary>The benchmark with each affected cluster's top model answering wrong there: another model's wrong response, else an unreadable one.</summary>
    /// <param name="draw">Null: the first wrong answer in the models' order; else a draw among all of them.</param>
    /// <param name="share">The share of the questions on which it turns wrong (a seeded draw; 1: all).</param>
    private static Benchmark Degrade(Benchmark benchmark, IReadOnlyList<string> models, Dictionary<int, string> affected, Dictionary<string, RoutingDecision> routed, Random? draw = null, double share = 1)
    {
        var which = new Random(13);
        var records = benchmark.Records.Select(record =>
        {
            if (!affected.TryGetValue(routed[record.Id].Cluster, out string? model) || !record.Outputs.ContainsKey(model)) return record;
            if (share < 1 && which.NextDouble() >= share) return record;
            string? gold = Grader.GoldOf(record);
            Sample[] wrongs = [.. models.Where(m => m != model && record.Outputs.ContainsKey(m)).SelectMany(m => record.Outputs[m])
                .Where(s => s.Text is not null && Grader.Grade(record, s, Grader.AnswerOf(record, s), gold) is 0)];
            Sample? wrong = wrongs.Length == 0 ? null : draw is null ? wrongs[0] : wrongs[draw.Next(wrongs.Length)];
            var outputs = new Dictionary<string, IReadOnlyList<Sample>>(record.Outputs, StringComparer.Ordinal) { [model] = [wrong ?? new Sample("I cannot tell.")] };
            return record with { Outputs = outputs };
        }).ToList();
        return benchmark with { Records = records };
    }

    /// <summary>A backend that forwards to the original recordings until the drift, to the degraded ones after it.</summary>
    private static async Task<WebApplication> SwitchAsync(string before, string after, Func<bool> drifted)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        WebApplication app = builder.Build();
        var http = new HttpClient();
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            using var body = new StreamContent(context.Request.Body);
            body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using HttpResponseMessage forwarded = await http.PostAsync((drifted() ? after : before) + "/v1/chat/completions", body);
            context.Response.StatusCode = (int)forwarded.StatusCode;
            context.Response.ContentType = forwarded.Content.Headers.ContentType?.ToString();
            await forwarded.Content.CopyToAsync(context.Response.Body);
        });
        await app.StartAsync();
        return app;
    }
}
