using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Avengers.Embedding;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;

namespace Avengers.Testbed.Faults;

/// <summary>
/// A bounded soak: N minutes of loopback load on one gateway over three backends that fail at random (every
/// fault of <see cref="FaultBackend"/>), with memory, open handles, latency and outcomes reported every minute,
/// so that leaks and slow degradation show.
/// </summary>
public static class FaultSoak
{
    public static async Task<IReadOnlyList<SoakMinute>> RunAsync(EmbeddingStack embedding, int minutes, int concurrency, double faultRate,
        IProgress<SoakMinute>? progress = null, CancellationToken cancellationToken = default)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"avengers-soak-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string router = await FaultMatrix.CalibrateForFaultsAsync(embedding, dir, cancellationToken).ConfigureAwait(false);
            await using WebApplication backend = await FaultBackend.StartAsync(TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
            string url = backend.Urls.First() + "/v1";
            string model = FormattableString.Invariant($"random:{faultRate}");
            var config = new GatewayConfig
            {
                Listen = "http://127.0.0.1:0",
                Router = router,
                RequestTimeoutSeconds = 5,
                Strategy = new StrategyConfig { Samples = 3 },
                Backends =
                [
                    new BackendConfig { Name = "faulty", Model = model, BaseUrl = url, TimeoutSeconds = 1, Retries = 1, RetryDelayMilliseconds = 20, BreakSeconds = 2 },
                    new BackendConfig { Name = "healthy", Model = model, BaseUrl = url, TimeoutSeconds = 1, Retries = 1, RetryDelayMilliseconds = 20, BreakSeconds = 2 },
                ],
            };
            await using WebApplication gateway = GatewayHost.Build(config, embedding, _ => null);
            await gateway.StartAsync(cancellationToken).ConfigureAwait(false);
            string target = gateway.Urls.First() + "/v1/chat/completions";

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var results = new List<SoakMinute>();
            var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
            long requests = 0, answered = 0, clean = 0, bad = 0;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            string[] models = ["avengers-direct", "avengers-vote", "avengers-switch"];
            Task[] workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
            {
                var random = new Random(w);
                while (!stop.IsCancellationRequested)
                {
                    bool stream = random.Next(2) == 0;
                    string body = JsonSerializer.Serialize(new { model = models[random.Next(models.Length)], stream, messages = new[] { new { role = "user", content = "What is 12 times 7? Options: (A) 74 (B) 84 (C) 94 (D) 104" } } });
                    var watch = Stopwatch.StartNew();
                    try
                    {
                        using HttpResponseMessage response = await http.PostAsync(target, new StringContent(body, Encoding.UTF8, "application/json"), stop.Token).ConfigureAwait(false);
                        string text = await response.Content.ReadAsStringAsync(stop.Token).ConfigureAwait(false);
                        latencies.Add(watch.Elapsed.TotalMilliseconds);
                        Interlocked.Increment(ref requests);
                        bool ok = response.IsSuccessStatusCode && (!stream || text.Contains("data: [DONE]", StringComparison.Ordinal));
                        bool errorShape = text.Contains("\"error\"", StringComparison.Ordinal) && (int)response.StatusCode is not 500;
                        if (text.Contains(FaultBackend.EchoedSecret, StringComparison.Ordinal)) Interlocked.Increment(ref bad);
                        else if (ok) Interlocked.Increment(ref answered);
                        else if (errorShape) Interlocked.Increment(ref clean);
                        else Interlocked.Increment(ref bad);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
                    catch (HttpRequestException) { Interlocked.Increment(ref requests); Interlocked.Increment(ref bad); }
                }
            })).ToArray();

            for (int minute = 1; minute <= minutes; minute++)
            {
                await Task.Delay(TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
                double[] sorted = [.. latencies.ToArray().Order()];
                latencies.Clear();
                using Process self = Process.GetCurrentProcess();
                var row = new SoakMinute(minute, Interlocked.Exchange(ref requests, 0), Interlocked.Exchange(ref answered, 0), Interlocked.Exchange(ref clean, 0), Interlocked.Exchange(ref bad, 0),
                    Percentile(sorted, 0.50), Percentile(sorted, 0.99), Math.Round(self.WorkingSet64 / 1048576.0, 1), OpenHandles(self));
                results.Add(row);
                progress?.Report(row);
            }
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(workers).ConfigureAwait(false);
            return results;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))], 1);

    /// <summary>Open file descriptors on Linux (/proc/self/fd), else the process's handle count.</summary>
    private static int OpenHandles(Process self)
        => Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : self.HandleCount;

    public static string ToMarkdown(IReadOnlyList<SoakMinute> minutes, int concurrency, double faultRate)
    {
        var builder = new StringBuilder();
        builder.AppendLine($"{concurrency} concurrent clients, one backend call in {1 / faultRate:0.#} faulty (every fault at random), mixed strategies and streaming:");
        builder.AppendLine();
        builder.AppendLine("| minute | requests | answered | clean errors | bad | p50 ms | p99 ms | RSS MB | open handles |");
        builder.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (SoakMinute m in minutes)
            builder.AppendLine($"| {m.Minute} | {m.Requests} | {m.Answered} | {m.CleanErrors} | {m.Bad} | {m.P50Ms} | {m.P99Ms} | {m.RssMb} | {m.OpenHandles} |");
        return builder.ToString();
    }
}
