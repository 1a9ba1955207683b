using System.Text;
using Avengers.Embedding;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;

namespace Avengers.Benchmarks;

/// <summary>
/// The gateway's paths in one process and one run: a fast loopback backend, then for each embedder the gateway on
/// pass-through (a backend's own name), the cached ensemble path (a repeated question, a 3-sample vote) and the
/// unique-question path (a new question each request, direct), at 1 and 8 connections; requests/s, p50 and p99.
/// Run: dotnet run -c Release --project bench/Avengers.Benchmarks -- gateway-suite [seconds per phase]
/// </summary>
internal static class GatewaySuite
{
    public static async Task RunAsync(string[] args)
    {
        double seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 8;
        // Optional: only the embedders and paths whose names contain these words (e.g. "minilm-static ensemble").
        string[] only = args.Length > 2 ? args[2..] : [];
        string[] embedders = [.. only.Where(w => w.StartsWith("minilm", StringComparison.Ordinal))];
        string[] paths = [.. only.Except(embedders)];
        if (embedders.Length == 0) embedders = ["minilm", "minilm-int8", "minilm-static"];
        bool Wanted(string path) => paths.Length == 0 || paths.Any(w => path.Contains(w, StringComparison.OrdinalIgnoreCase));
        await using WebApplication backend = await GatewayLoad.StartBackendAsync();
        string backendUrl = backend.Urls.First();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 });
        string[] queries = Enumerable.Range(0, 256).Select(i => $"Question {i}: how many apples are left if {i} are eaten out of {i * 3 + 7}?").ToArray();
        Console.WriteLine($"{Environment.ProcessorCount} cores shared by the load generator, the gateway and the backend; {seconds:F0} s per phase, closed loop");
        var rows = new StringBuilder("| embedder | path | connections | requests/s | p50 ms | p99 ms |\n|---|---|---:|---:|---:|---:|\n");
        foreach (string model in embedders)
        {
            string dir = Path.Combine(Path.GetTempPath(), "avengers-suite-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            using EmbeddingStack embedding = await EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse(model), Path.Combine(dir, "cache.sqlite"), new EmbeddingBatchOptions { MaxBatch = 32 });
            string router = await GatewayLoad.CalibrateAsync(dir, embedding, queries);
            var config = new GatewayConfig
            {
                Listen = "http://127.0.0.1:0",
                Router = router,
                Embedding = model,
                // The ensemble path votes over three samples of the one backend (one call with n = 3).
                Strategy = new StrategyConfig { Default = "vote", Samples = 3, Adaptive = false },
                Backends = [new BackendConfig { Name = "model", BaseUrl = backendUrl + "/v1", MaxConcurrency = 256, MaxQueue = 1024, SupportsN = false }],
            };
            await using WebApplication gateway = GatewayHost.Build(config, embedding, _ => null);
            await gateway.StartAsync();
            string url = gateway.Urls.First();
            await GatewayLoad.LoadAsync(http, url, "avengers", queries, 3, 8, unique: false); // warm-up, fills the cache
            await GatewayLoad.LoadAsync(http, url, "avengers-direct", queries, 2, 8, unique: true);
            foreach (int connections in new[] { 1, 8 })
            {
                if (Wanted("pass-through")) Row(rows, model, "pass-through", connections, await GatewayLoad.LoadAsync(http, url, "model", queries, seconds, connections, unique: false));
                if (Wanted("ensemble")) Row(rows, model, "ensemble, cached question (vote of 3)", connections, await GatewayLoad.LoadAsync(http, url, "avengers", queries, seconds, connections, unique: false));
                if (Wanted("unique")) Row(rows, model, "unique question (direct)", connections, await GatewayLoad.LoadAsync(http, url, "avengers-direct", queries, seconds, connections, unique: true));
            }
            await gateway.StopAsync();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
        Console.WriteLine();
        Console.Write(rows);
    }

    private static void Row(StringBuilder rows, string embedder, string path, int connections, List<double> latencies)
    {
        (double rate, double p50, double p99) = GatewayLoad.Summary(latencies);
        Console.WriteLine($"{embedder,-14} {path,-38} {connections,2} conn  {rate,7:F0} req/s  p50 {p50,7:F2} ms  p99 {p99,7:F2} ms");
        rows.Append(System.FormattableString.Invariant($"| {embedder} | {path} | {connections} | {rate:F0} | {p50:F2} | {p99:F2} |\n"));
    }
}
