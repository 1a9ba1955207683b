using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Avengers.Calibration;
using Avengers.Clustering;
using Avengers.Embedding;
using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Avengers.Voting;

namespace Avengers.Testbed.Faults;

/// <summary>
/// Fault injection: every fault of <see cref="FaultBackend"/>, crossed with every strategy and streaming, with
/// the faulty backend alone and in a pool, against a real gateway on loopback. Every request must end answered
/// or with a clean OpenAI-style error (a JSON error, or an SSE error event without <c>[DONE]</c>), within the
/// deadline, with no secret in the response. Anything else is counted as bad, with the first example.
/// </summary>
public static class FaultMatrix
{
    private const string Question = "What is 12 times 7? Options: (A) 74 (B) 84 (C) 94 (D) 104";

    public static async Task<IReadOnlyList<FaultCell>> RunAsync(EmbeddingStack embedding, FaultMatrixOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"avengers-faults-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string router = await CalibrateForFaultsAsync(embedding, dir, cancellationToken).ConfigureAwait(false);
            await using WebApplication backend = await FaultBackend.StartAsync(TimeSpan.FromSeconds(options.BackendTimeoutSeconds * 0.6)).ConfigureAwait(false);
            string url = backend.Urls.First() + "/v1";
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds * 4) };
            var cells = new List<FaultCell>();
            foreach (string pool in options.Pools)
                foreach (string fault in options.Faults)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report($"{pool}: {fault}");
                    var config = new GatewayConfig
                    {
                        Listen = "http://127.0.0.1:0",
                        Router = router,
                        RequestTimeoutSeconds = options.RequestTimeoutSeconds,
                        Strategy = new StrategyConfig { Samples = 3 },
                        Backends =
                        [
                            new BackendConfig { Name = "faulty", Model = fault, BaseUrl = url, TimeoutSeconds = options.BackendTimeoutSeconds, Retries = 1, RetryDelayMilliseconds = 50 },
                        .. pool == "pool" ? [new BackendConfig { Name = "healthy", Model = "ok", BaseUrl = url, TimeoutSeconds = options.BackendTimeoutSeconds, Retries = 1, RetryDelayMilliseconds = 50 }] : Array.Empty<BackendConfig>(),
                    ],
                    };
                    await using WebApplication gateway = GatewayHost.Build(config, embedding, _ => null);
                    await gateway.StartAsync(cancellationToken).ConfigureAwait(false);
                    foreach (string strategy in options.Strategies)
                        foreach (bool stream in options.Streams)
                        {
                            int answered = 0, clean = 0, bad = 0;
                            double max = 0;
                            string? firstBad = null;
                            for (int r = 0; r < options.RequestsPerCell; r++)
                            {
                                var (outcome, seconds, detail) = await AskAsync(http, gateway.Urls.First(), strategy, stream, options.RequestTimeoutSeconds, options.DeadlineGraceSeconds, cancellationToken).ConfigureAwait(false);
                                max = Math.Max(max, seconds);
                                switch (outcome)
                                {
                                    case Outcome.Answered: answered++; break;
                                    case Outcome.CleanError: clean++; break;
                                    default: bad++; firstBad ??= detail; break;
                                }
                            }
                            cells.Add(new FaultCell(fault, pool, strategy, stream, answered, clean, bad, Math.Round(max, 2), firstBad));
                        }
                }
            return cells;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private enum Outcome { Answered, CleanError, Bad }

    private static async Task<(Outcome, double, string)> AskAsync(HttpClient http, string gateway, string strategy, bool stream, double deadline, double grace, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        string body = JsonSerializer.Serialize(new { model = $"avengers-{strategy}", stream, messages = new[] { new { role = "user", content = Question } } });
        int status;
        string text;
        try
        {
            using HttpResponseMessage response = await http.PostAsync(gateway + "/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (Outcome.Bad, watch.Elapsed.TotalSeconds, $"the connection failed: {ex.GetType().Name}");
        }
        double seconds = watch.Elapsed.TotalSeconds;
        if (text.Contains(FaultBackend.EchoedSecret, StringComparison.Ordinal) || text.Contains("10.1.2.3", StringComparison.Ordinal)) return (Outcome.Bad, seconds, "a backend secret or address reached the client");
        if (seconds > deadline + grace) return (Outcome.Bad, seconds, $"took {seconds:F1} s, past the {deadline} s deadline");
        if (status >= 500 && status is not (502 or 503 or 504)) return (Outcome.Bad, seconds, $"HTTP {status}: {Short(text)}");
        if (status >= 400) return IsOpenAIError(text) ? (Outcome.CleanError, seconds, "") : (Outcome.Bad, seconds, $"HTTP {status} not in OpenAI's shape: {Short(text)}");
        if (!stream)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(text);
                string? answer = document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
                return string.IsNullOrWhiteSpace(answer) ? (Outcome.Bad, seconds, "200 with no content") : (Outcome.Answered, seconds, "");
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
            {
                return (Outcome.Bad, seconds, $"200 with a malformed body: {Short(text)}");
            }
        }
        bool done = text.Contains("data: [DONE]", StringComparison.Ordinal);
        bool errorEvent = text.Contains("\"error\"", StringComparison.Ordinal);
        bool content = text.Contains("\"content\":\"", StringComparison.Ordinal);
        if (done && !errorEvent && content) return (Outcome.Answered, seconds, "");
        if (errorEvent && !done) return (Outcome.CleanError, seconds, "");
        return (Outcome.Bad, seconds, done ? "a stream finished without content" : "a stream ended with neither [DONE] nor an error event");
    }

    private static bool IsOpenAIError(string text)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("error", out JsonElement error) && error.TryGetProperty("message", out JsonElement m) && m.ValueKind == JsonValueKind.String;
        }
        catch (JsonException) { return false; }
    }

    private static string Short(string text) => text.Length <= 160 ? text : text[..160] + "...";

    /// <summary>A router over two models where "faulty" ranks first everywhere, so every request meets the fault first.</summary>
    internal static async Task<string> CalibrateForFaultsAsync(EmbeddingStack embedding, string dir, CancellationToken cancellationToken)
    {
        string[] questions =
        [
            Question, "Compute 45 plus 19.", "How much is 81 divided by 9?", "Subtract 13 from 50.",
            "Who was the first emperor of Rome?", "In which year did the Berlin Wall fall?", "Which empire built Machu Picchu?", "Where was the Treaty of Versailles signed?",
        ];
        string[] models = ["faulty", "healthy"];
        VectorSet vectors = await EmbeddingRunner.EmbedAllAsync(embedding.Generator, questions, cancellationToken: cancellationToken).ConfigureAwait(false);
        var correctness = new CorrectnessMatrix(models, questions.Length);
        for (int i = 0; i < questions.Length; i++) { correctness[i, 0] = 1; correctness[i, 1] = i % 2; }
        CalibrationResult calibrated = Calibrator.Calibrate(vectors, correctness,
            new CalibrationOptions { K = 2, Partitions = 1, Strategy = EnsembleStrategy.Vote, TopN = 2, TopK = 1, WeightedVote = false },
            new RouterManifest.EmbeddingInfo(embedding.ModelId, embedding.Dimension), new RouterManifest.DataInfo("faults", "00", questions.Length, 0));
        string path = Path.Combine(dir, "router.avengers");
        calibrated.Artifact.Save(path);
        return path;
    }

    /// <summary>The cells as Markdown: one table per pool, faults as rows, strategy x streaming as columns ("answered/clean errors", "BAD n" when any).</summary>
    public static string ToMarkdown(IReadOnlyList<FaultCell> cells)
    {
        var builder = new StringBuilder();
        foreach (var pool in cells.GroupBy(c => c.Pool))
        {
            var columns = pool.Select(c => (c.Strategy, c.Stream)).Distinct().ToList();
            builder.AppendLine(pool.Key == "pool" ? "Faulty backend ranked first, a healthy one second (answered / clean errors):" : "Faulty backend alone (answered / clean errors):");
            builder.AppendLine();
            builder.AppendLine("| fault | " + string.Join(" | ", columns.Select(c => $"{c.Strategy}{(c.Stream ? " stream" : "")}")) + " | slowest |");
            builder.AppendLine("|---|" + string.Concat(columns.Select(_ => "---:|")) + "---:|");
            foreach (var fault in pool.GroupBy(c => c.Fault))
            {
                var byColumn = fault.ToDictionary(c => (c.Strategy, c.Stream));
                builder.AppendLine($"| {fault.Key} | " + string.Join(" | ", columns.Select(c => byColumn.TryGetValue(c, out FaultCell? cell)
                    ? $"{cell.Answered}/{cell.CleanErrors}{(cell.Bad > 0 ? $" **BAD {cell.Bad}**" : "")}" : "")) + $" | {fault.Max(c => c.MaxSeconds).ToString("F1", CultureInfo.InvariantCulture)} s |");
            }
            builder.AppendLine();
        }
        int total = cells.Sum(c => c.Answered + c.CleanErrors + c.Bad), bad = cells.Sum(c => c.Bad);
        builder.AppendLine($"{total} requests: {cells.Sum(c => c.Answered)} answered, {cells.Sum(c => c.CleanErrors)} clean errors, {bad} bad.");
        foreach (FaultCell cell in cells.Where(c => c.Bad > 0).Take(10))
            builder.AppendLine($"- bad: {cell.Fault}, {cell.Pool}, {cell.Strategy}{(cell.Stream ? " stream" : "")}: {cell.FirstBad}");
        return builder.ToString();
    }
}
