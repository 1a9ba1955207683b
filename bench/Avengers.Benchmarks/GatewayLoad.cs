using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Avengers.Calibration;
using Avengers.Clustering;
using Avengers.Embedding;
using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.AI;

namespace Avengers.Benchmarks;

/// <summary>
/// Gateway overhead: the same closed-loop load on 127.0.0.1 sent straight to a fast backend and
/// through the gateway (direct strategy), in one run. Reports p50/p99 latency and requests per second,
/// with query embeddings cached and uncached.
/// Run: dotnet run -c Release --project bench/Avengers.Benchmarks -- gateway [seconds] [concurrency]
/// </summary>
internal static class GatewayLoad
{
    public static async Task RunAsync(string[] args)
    {
        double seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
        int concurrency = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 8;
        string dir = Path.Combine(Path.GetTempPath(), "avengers-gateway-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);

        await using WebApplication backend = await StartBackendAsync();
        string backendUrl = backend.Urls.First();

        // Optional third and fourth arguments: the embedding batch size (1: no batching) and its wait in ms.
        var batching = new EmbeddingBatchOptions
        {
            MaxBatch = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 32,
            MaxWait = TimeSpan.FromMilliseconds(args.Length > 4 ? double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 0),
        };
        Console.WriteLine($"embedding batches: at most {batching.MaxBatch} questions, wait {batching.MaxWait.TotalMilliseconds} ms");
        // AVENGERS_BENCH_EMBEDDING=minilm-static measures the static embedder instead.
        string model = Environment.GetEnvironmentVariable("AVENGERS_BENCH_EMBEDDING") ?? "minilm";
        using EmbeddingStack embedding = await EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse(model), Path.Combine(dir, "cache.sqlite"), batching: batching);
        string[] queries = Enumerable.Range(0, 256).Select(i => $"Question {i}: how many apples are left if {i} are eaten out of {i * 3 + 7}?").ToArray();
        string router = await CalibrateAsync(dir, embedding, queries);
        var config = new GatewayConfig
        {
            Listen = "http://127.0.0.1:0",
            Router = router,
            Embedding = model,
            Strategy = new StrategyConfig { Default = "direct" },
            Backends = [new BackendConfig { Name = "model", BaseUrl = backendUrl + "/v1", MaxConcurrency = 256, MaxQueue = 1024 }],
        };
        await using WebApplication gateway = GatewayHost.Build(config, embedding, _ => null);
        await gateway.StartAsync();
        string gatewayUrl = gateway.Urls.First();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 });
        Console.WriteLine($"closed loop, {concurrency} concurrent clients, {seconds:F0} s per phase, {Environment.ProcessorCount} cores (load generator, gateway and backend share them)");
        await LoadAsync(http, gatewayUrl, "avengers", queries, 3, concurrency, unique: false); // warm-up: fills the embedding cache

        Report("backend directly", await LoadAsync(http, backendUrl, "model", queries, seconds, concurrency, unique: false));
        Report("gateway, cached embeddings", await LoadAsync(http, gatewayUrl, "avengers", queries, seconds, concurrency, unique: false));
        Report("backend directly", await LoadAsync(http, backendUrl, "model", queries, seconds, concurrency, unique: false));
        var before = embedding.Generator.GetService<BatchingEmbeddingGenerator>()?.Stats ?? default;
        Report("gateway, uncached (new query each)", await LoadAsync(http, gatewayUrl, "avengers", queries, seconds, concurrency, unique: true));
        if (embedding.Generator.GetService<BatchingEmbeddingGenerator>()?.Stats is var (runs, questions))
            Console.WriteLine($"  embedding runs: {runs - before.Runs}, questions per run: {(double)(questions - before.Questions) / Math.Max(1, runs - before.Runs):F2}");
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    internal static void Report(string name, List<double> latencies)
    {
        (double rate, double p50, double p99) = Summary(latencies);
        Console.WriteLine($"{name,-36} {rate,8:F0} req/s   p50 {p50,7:F3} ms   p99 {p99,7:F3} ms   ({latencies.Count} requests)");
    }

    /// <summary>Requests per second over the last load's duration, and the p50 and p99 latencies (sorts the list).</summary>
    internal static (double Rate, double P50, double P99) Summary(List<double> latencies)
    {
        latencies.Sort();
        return (latencies.Count / Elapsed, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)]);
    }

    private static double Elapsed;

    internal static void SetElapsed(double seconds) => Elapsed = seconds;

    internal static Task<List<double>> LoadAsync(HttpClient http, string url, string model, string[] queries, double seconds, int concurrency, bool unique)
        => LoadAsync(http, [url], model, queries, seconds, concurrency, unique);

    /// <summary>Closed-loop load; client i sends to urls[i % urls.Length] (several replicas behind a round-robin balancer).</summary>
    internal static async Task<List<double>> LoadAsync(HttpClient http, string[] urls, string model, string[] queries, double seconds, int concurrency, bool unique)
    {
        var all = new List<double>();
        var stop = Stopwatch.StartNew();
        int counter = 0;
        int workers = 0;
        async Task Worker()
        {
            string url = urls[Interlocked.Increment(ref workers) % urls.Length];
            var local = new List<double>();
            while (stop.Elapsed.TotalSeconds < seconds)
            {
                int n = Interlocked.Increment(ref counter);
                string query = unique ? $"Fresh question {n} {Guid.NewGuid():N}: what is {n} plus {n}?" : queries[n % queries.Length];
                string body = JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = query } } });
                long started = Stopwatch.GetTimestamp();
                using HttpResponseMessage response = await http.PostAsync(url + "/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
                await response.Content.ReadAsByteArrayAsync();
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url}: {(int)response.StatusCode}");
                local.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            lock (all) all.AddRange(local);
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)));
        Elapsed = stop.Elapsed.TotalSeconds;
        return all;
    }

    internal static async Task<WebApplication> StartBackendAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        WebApplication app = builder.Build();
        byte[] answer = Encoding.UTF8.GetBytes("""{"id":"chatcmpl-1","object":"chat.completion","created":0,"model":"model","choices":[{"index":0,"message":{"role":"assistant","content":"The answer is 42."},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}""");
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(answer);
        });
        await app.StartAsync();
        return app;
    }

    internal static async Task<string> CalibrateAsync(string dir, EmbeddingStack embedding, string[] queries)
    {
        VectorSet vectors = await EmbeddingRunner.EmbedAllAsync(embedding.Generator, queries);
        var correctness = new CorrectnessMatrix(["model"], queries.Length);
        for (int i = 0; i < queries.Length; i++) correctness[i, 0] = 1;
        CalibrationResult calibrated = Calibrator.Calibrate(vectors, correctness, new CalibrationOptions { K = 16 },
            new RouterManifest.EmbeddingInfo(embedding.ModelId, embedding.Dimension), new RouterManifest.DataInfo("synthetic", "", queries.Length, 0));
        string path = Path.Combine(dir, "router.avengers");
        calibrated.Artifact.Save(path);
        return path;
    }
}
