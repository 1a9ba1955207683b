using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Avengers.Embedding;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using Microsoft.AspNetCore.Builder;

namespace Avengers.Benchmarks;

/// <summary>
/// What fleet mode costs: the Redis tier on the cached path (a query another replica embedded, read from Redis), the
/// per-key limit check (one Lua script per request), and the throughput of two replicas sharing Redis against one
/// replica without it, in one run on 127.0.0.1. Starts its own redis-server (Debian's package).
/// Run: dotnet run -c Release --project bench/Avengers.Benchmarks -- fleet [seconds] [concurrency]
/// </summary>
internal static class FleetLoad
{
    private const string Key = "bench-key-0123456789";
    /// <summary>Questions replica B reads from Redis in the measured phase (about 3 s of load at 8 connections; AVENGERS_BENCH_SHARED_QUERIES).</summary>
    private static readonly int SharedQueries = int.TryParse(Environment.GetEnvironmentVariable("AVENGERS_BENCH_SHARED_QUERIES"), out int n) ? n : 12_000;

    public static async Task RunAsync(string[] args)
    {
        double seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 8;
        int concurrency = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 8;
        string dir = Path.Combine(Path.GetTempPath(), "avengers-fleet-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        using Process redis = StartRedis(out int port);
        try
        {
            await using WebApplication backend = await GatewayLoad.StartBackendAsync();
            // Redis's own count of the commands it ran (a script's inner commands included), to say what each phase asked of it.
            using StackExchange.Redis.ConnectionMultiplexer counter = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},allowAdmin=true");
            StackExchange.Redis.IServer server = counter.GetServer($"127.0.0.1:{port}");
            async Task<long> Commands() => long.Parse((await server.InfoAsync("stats")).SelectMany(g => g).First(p => p.Key == "total_commands_processed").Value, System.Globalization.CultureInfo.InvariantCulture);
            // Calls per command name ("cmdstat_hmget" -> calls), for what a phase's requests asked of Redis.
            async Task<Dictionary<string, long>> CommandCalls() => (await server.InfoAsync("commandstats")).SelectMany(g => g)
                .ToDictionary(p => p.Key.Replace("cmdstat_", "", StringComparison.Ordinal), p => long.Parse(p.Value.Split(',')[0].Split('=')[1], System.Globalization.CultureInfo.InvariantCulture));
            // The default deployment: the SQLite embedding cache under every gateway (fleet mode puts its tiers in front).
            using EmbeddingStack embedding = await EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse("minilm"), Path.Combine(dir, "cache.sqlite"));
            string[] queries = Enumerable.Range(0, 256).Select(i => $"Question {i}: how many apples are left if {i} are eaten out of {i * 3 + 7}?").ToArray();
            string router = await GatewayLoad.CalibrateAsync(dir, embedding, queries);
            GatewayConfig Config(bool withRedis, bool limited) => new()
            {
                Listen = "http://127.0.0.1:0",
                Router = router,
                Embedding = "minilm",
                Strategy = new StrategyConfig { Default = "direct" },
                Redis = withRedis ? $"127.0.0.1:{port}" : null,
                RedisPrefix = $"bench{Guid.NewGuid():N}:",
                ApiKeys = [new ApiKeyConfig { Name = "bench", KeyEnv = "BENCH_KEY", RequestsPerMinute = limited ? 100_000_000 : null }],
                Backends = [new BackendConfig { Name = "model", BaseUrl = backend.Urls.First() + "/v1", MaxConcurrency = 256, MaxQueue = 1024 }],
            };
            async Task<WebApplication> Start(GatewayConfig config)
            {
                WebApplication app = GatewayHost.Build(config, embedding, name => name == "BENCH_KEY" ? Key : null);
                await app.StartAsync();
                return app;
            }
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 });
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);
            Console.WriteLine($"closed loop, {concurrency} concurrent clients, {seconds:F0} s per phase, {Environment.ProcessorCount} cores (load, gateways, backend and Redis share them)");

            // 1. The cached path: local tier (this process) against the shared tier (Redis), same replicas, same queries.
            // Every query is embedded beforehand (the SQLite file both replicas share), so that filling Redis through A
            // is quick; B first reads a warm-up set from Redis (its first requests ever, JIT and connections), then the
            // measured set twice, a chunk at a time: from Redis (shared), then from its own memory (local).
            string[] warmUp = [.. Enumerable.Range(0, 2_000).Select(i => $"Warm-up question {i}: what is {i} plus {i % 13}?")];
            string[] shared = [.. Enumerable.Range(0, SharedQueries).Select(i => $"Shared question {i}: what is {i} times {i % 17}?")];
            Console.WriteLine($"embedding {warmUp.Length + shared.Length} questions in batches ...");
            foreach (string[] batch in warmUp.Concat(shared).Chunk(64)) await embedding.Generator.GenerateAsync(batch);
            GatewayConfig sharedConfig = Config(withRedis: true, limited: false);
            await using (WebApplication a = await Start(sharedConfig))
            await using (WebApplication b = await Start(sharedConfig with { }))
            {
                Console.WriteLine($"filling Redis with {warmUp.Length + shared.Length} embeddings through replica A ...");
                await Once(http, a.Urls.First(), [.. warmUp, .. shared], concurrency);
                await Once(http, b.Urls.First(), warmUp, concurrency);
                // Let the fill's aftermath settle (HybridCache's writes to Redis finish after A answers; the fill's garbage).
                GC.Collect();
                await Task.Delay(TimeSpan.FromSeconds(3));
                // Chunk by chunk, each question's first read on B (from Redis) and then its second (from B's own memory),
                // so that both tiers are measured under the same conditions of the machine. Redis commands per request say
                // which tier answered (the remembered decision is one; a read from Redis one more): a local tier too small
                // for the set would send the second reads back to Redis.
                var sharedReads = new List<double>();
                var localReads = new List<double>();
                double sharedSeconds = 0, localSeconds = 0;
                double[] sharedCpu = new double[2], localCpu = new double[2]; // microseconds: this process, redis-server
                var sharedCommands = new Dictionary<string, long>();
                var localCommands = new Dictionary<string, long>();
                foreach (string[] chunk in shared.Chunk(1_000))
                {
                    foreach ((List<double> reads, Dictionary<string, long> commands, bool first) in new[] { (sharedReads, sharedCommands, true), (localReads, localCommands, false) })
                    {
                        Dictionary<string, long> before = await CommandCalls();
                        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                        redis.Refresh();
                        TimeSpan redisCpuBefore = redis.TotalProcessorTime;
                        var watch = Stopwatch.StartNew();
                        reads.AddRange(await Once(http, b.Urls.First(), chunk, concurrency));
                        if (first) sharedSeconds += watch.Elapsed.TotalSeconds; else localSeconds += watch.Elapsed.TotalSeconds;
                        redis.Refresh();
                        (first ? sharedCpu : localCpu)[0] += (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds;
                        (first ? sharedCpu : localCpu)[1] += (redis.TotalProcessorTime - redisCpuBefore).TotalMicroseconds;
                        foreach ((string name, long calls) in await CommandCalls())
                            commands[name] = commands.GetValueOrDefault(name) + calls - before.GetValueOrDefault(name);
                    }
                }
                string PerRequest(Dictionary<string, long> commands) => string.Join(", ", commands.Where(c => c.Value > shared.Length / 100 && c.Key != "info")
                    .OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value / (double)shared.Length:F2}"));
                GatewayLoad.SetElapsed(sharedSeconds);
                GatewayLoad.Report("replica B, shared tier (each query's first read: Redis)", sharedReads);
                Console.WriteLine($"  Redis commands per request: {PerRequest(sharedCommands)}; CPU per request: {sharedCpu[0] / shared.Length:F0} us in this process, {sharedCpu[1] / shared.Length:F0} us in redis-server");
                GatewayLoad.SetElapsed(localSeconds);
                GatewayLoad.Report("replica B, local tier (the same queries again)", localReads);
                Console.WriteLine($"  Redis commands per request: {PerRequest(localCommands)}; CPU per request: {localCpu[0] / shared.Length:F0} us in this process, {localCpu[1] / shared.Length:F0} us in redis-server");
            }

            // 2. The limit check: a key with limits (a Lua script in Redis per request) against the same fleet replica's key
            // without, and both against a replica without Redis (what fleet mode costs in all: the shared tier's lookups,
            // the remembered decisions written to Redis), cached embeddings.
            // Each row also says where the CPU went per request: this process (load, gateway, backend) and redis-server.
            await using (WebApplication plain = await Start(Config(withRedis: false, limited: false)))
            await using (WebApplication plainLimited = await Start(Config(withRedis: false, limited: true)))
            await using (WebApplication unlimited = await Start(Config(withRedis: true, limited: false)))
            await using (WebApplication limited = await Start(Config(withRedis: true, limited: true)))
            {
                foreach (WebApplication app in new[] { plain, plainLimited, unlimited, limited })
                    await GatewayLoad.LoadAsync(http, app.Urls.First(), "avengers", queries, 2, concurrency, unique: false);
                async Task Phase(string name, WebApplication app)
                {
                    TimeSpan ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    redis.Refresh();
                    TimeSpan redisBefore = redis.TotalProcessorTime;
                    long commandsBefore = await Commands();
                    List<double> latencies = await GatewayLoad.LoadAsync(http, app.Urls.First(), "avengers", queries, seconds, concurrency, unique: false);
                    redis.Refresh();
                    double own = (Process.GetCurrentProcess().TotalProcessorTime - ownBefore).TotalMicroseconds / latencies.Count;
                    double cpu = (redis.TotalProcessorTime - redisBefore).TotalMicroseconds / latencies.Count;
                    double commands = (await Commands() - commandsBefore - 1) / (double)latencies.Count; // less the INFO itself
                    GatewayLoad.Report(name, latencies);
                    Console.WriteLine($"  CPU per request: {own:F0} us in this process, {cpu:F0} us in redis-server; Redis commands per request: {commands:F2}");
                }
                for (int round = 0; round < 2; round++)
                {
                    await Phase("1 replica, no Redis, key without limits", plain);
                    await Phase("1 replica, no Redis, limits checked in process", plainLimited);
                    await Phase("1 replica with Redis, key without limits", unlimited);
                    await Phase("1 replica with Redis, limits checked", limited);
                }
            }

            // 3. Throughput: two replicas sharing Redis (load spread over both) against one replica without it.
            await using (WebApplication one = await Start(Config(withRedis: false, limited: false)))
            {
                await GatewayLoad.LoadAsync(http, one.Urls.First(), "avengers", queries, 2, concurrency, unique: false);
                GatewayLoad.Report("1 replica, no Redis", await GatewayLoad.LoadAsync(http, one.Urls.First(), "avengers", queries, seconds, concurrency, unique: false));
            }
            GatewayConfig fleet = Config(withRedis: true, limited: true);
            await using (WebApplication r1 = await Start(fleet))
            await using (WebApplication r2 = await Start(fleet with { }))
            {
                string[] urls = [r1.Urls.First(), r2.Urls.First()];
                await GatewayLoad.LoadAsync(http, urls, "avengers", queries, 2, concurrency, unique: false);
                GatewayLoad.Report("2 replicas, Redis cache and limits", await GatewayLoad.LoadAsync(http, urls, "avengers", queries, seconds, concurrency, unique: false));
            }
        }
        finally
        {
            redis.Kill(entireProcessTree: true);
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Each query once, spread over the clients: latencies of exactly those reads.</summary>
    private static async Task<List<double>> Once(HttpClient http, string url, string[] queries, int concurrency)
    {
        var all = new List<double>();
        int next = -1;
        var watch = Stopwatch.StartNew();
        async Task Worker()
        {
            var local = new List<double>();
            for (int i = Interlocked.Increment(ref next); i < queries.Length; i = Interlocked.Increment(ref next))
            {
                string body = JsonSerializer.Serialize(new { model = "avengers", messages = new[] { new { role = "user", content = queries[i] } } });
                long started = Stopwatch.GetTimestamp();
                using HttpResponseMessage response = await http.PostAsync(url + "/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
                await response.Content.ReadAsByteArrayAsync();
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url}: {(int)response.StatusCode}");
                local.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            lock (all) all.AddRange(local);
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)));
        GatewayLoad.SetElapsed(watch.Elapsed.TotalSeconds);
        return all;
    }

    private static Process StartRedis(out int port)
    {
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { probe.Start(); port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port; }
        var info = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true };
        foreach (string arg in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" }) info.ArgumentList.Add(arg);
        Process process = Process.Start(info) ?? throw new InvalidOperationException("redis-server could not start (apt-get install redis-server)");
        // AVENGERS_BENCH_REDIS_PRIORITY=high: Redis ahead of the gateways in the CPU queue (needs the privilege to raise
        // a priority), to see how much of its cost is waiting for a core on a shared machine.
        if (string.Equals(Environment.GetEnvironmentVariable("AVENGERS_BENCH_REDIS_PRIORITY"), "high", StringComparison.OrdinalIgnoreCase))
            process.PriorityClass = ProcessPriorityClass.High;
        process.BeginOutputReadLine();
        Thread.Sleep(300);
        return process;
    }
}
