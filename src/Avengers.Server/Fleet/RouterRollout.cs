using System.Diagnostics.Metrics;
using System.Text.Json;
using Avengers.Routing;
using Avengers.Server.Configuration;
using Avengers.Server.Gateway;
using StackExchange.Redis;

namespace Avengers.Server.Fleet;

/// <summary>
/// Rolls a new router artifact out to running gateways without a restart. In fleet mode <c>avengers router publish</c>
/// stores the checksummed artifact in Redis and announces it on a channel; every replica fetches it, checks it (its
/// checksums, and that it fits the configuration) and swaps it in for new requests while requests in flight finish
/// on the old one; a replica that starts later takes the published artifact. Each replica also writes a heartbeat
/// (which artifact it serves) for <c>avengers router status</c>. Without Redis the gateway watches its <c>router:</c>
/// file and swaps the same way. A damaged or incompatible artifact is refused and the old one kept, with a warning.
/// </summary>
internal sealed class RouterRollout(Func<GatewayRuntime> runtimeFactory, ILogger<RouterRollout> logger, System.Diagnostics.Metrics.IMeterFactory? meters = null,
    TimeProvider? time = null) : BackgroundService
{
    // Resolved when the rollout starts, after the host validated the configuration (hosted services are built first).
    private GatewayRuntime runtime = null!;

    /// <summary>Redis key of the published artifact's bytes (under the prefix).</summary>
    public const string ArtifactKey = "router:artifact";
    /// <summary>Pub/sub channel announcing a published artifact's SHA-256 (under the prefix).</summary>
    public const string Channel = "router:published";
    /// <summary>How often a replica refreshes its heartbeat; it expires after three missed ones.</summary>
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(5);

    private readonly string _replica = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";
    private readonly DateTimeOffset _started = (time ?? TimeProvider.System).GetUtcNow();
    private readonly SemaphoreSlim _swapping = new(1, 1);
    private int _swaps;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        runtime = runtimeFactory();
        if (meters?.Create(GatewayMetrics.MeterName) is System.Diagnostics.Metrics.Meter meter)
        {
            // Which artifact this replica serves (1, labelled with its SHA-256), and how many swaps it made.
            meter.CreateObservableGauge("avengers_gateway_router_artifact", () => new System.Diagnostics.Metrics.Measurement<int>(1,
                new KeyValuePair<string, object?>("artifact_sha256", runtime.Artifact.FileHash)), description: "The router artifact serving new requests");
            meter.CreateObservableCounter("avengers_gateway_router_swaps", () => (long)Volatile.Read(ref _swaps), description: "Router artifacts swapped in without a restart");
        }
        runtime.ArtifactSwapped += sha => GatewayLog.ArtifactSwapped(logger, sha);
        if (runtime.Fleet is RedisFleet fleet) await FollowRedisAsync(fleet, stoppingToken).ConfigureAwait(false);
        else await WatchFileAsync(stoppingToken).ConfigureAwait(false);
    }

    private async Task FollowRedisAsync(RedisFleet fleet, CancellationToken stoppingToken)
    {
        var channel = RedisChannel.Literal(fleet.Prefix + Channel);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Subscribe first, then take what is published: nothing announced in between is missed.
                ChannelMessageQueue queue = await fleet.Connection.GetSubscriber().SubscribeAsync(channel).ConfigureAwait(false);
                await TakePublishedAsync(fleet, stoppingToken).ConfigureAwait(false);
                using var heartbeat = new PeriodicTimer(HeartbeatEvery);
                Task beats = BeatAsync(fleet, heartbeat, stoppingToken);
                await foreach (ChannelMessage _ in queue.WithCancellation(stoppingToken).ConfigureAwait(false))
                    await TakePublishedAsync(fleet, stoppingToken).ConfigureAwait(false);
                await beats.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Redis is down: keep serving the artifact in hand, and follow again once it is back.
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task BeatAsync(RedisFleet fleet, PeriodicTimer timer, CancellationToken stoppingToken)
    {
        do
        {
            try
            {
                string beat = JsonSerializer.Serialize(new { replica = _replica, artifact_sha256 = runtime.Artifact.FileHash, started = _started, swaps = Volatile.Read(ref _swaps), at = DateTimeOffset.UtcNow });
                await fleet.Connection.GetDatabase().StringSetAsync(fleet.Key("replica:" + _replica), beat, HeartbeatEvery * 3).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException) { }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Fetches the published artifact and swaps it in when it is new, valid and fits.</summary>
    private async Task TakePublishedAsync(RedisFleet fleet, CancellationToken stoppingToken)
    {
        byte[]? bytes = await fleet.Connection.GetDatabase().StringGetAsync(fleet.Key(ArtifactKey)).ConfigureAwait(false);
        if (bytes is null) return;
        await SwapFromBytesAsync(bytes, "the artifact published in Redis", stoppingToken).ConfigureAwait(false);
    }

    private async Task SwapFromBytesAsync(byte[] bytes, string source, CancellationToken stoppingToken)
    {
        await _swapping.WaitAsync(stoppingToken).ConfigureAwait(false);
        string file = Path.Combine(Path.GetTempPath(), $"avengers-router-{Guid.NewGuid():N}.avengers");
        try
        {
            await File.WriteAllBytesAsync(file, bytes, stoppingToken).ConfigureAwait(false);
            Swap(RouterArtifact.Load(file), source);
        }
        catch (Exception ex) when (ex is RouterArtifactException or IOException) { GatewayLog.ArtifactRefused(logger, source, runtime.Artifact.FileHash, ex.Message); }
        finally
        {
            File.Delete(file);
            _swapping.Release();
        }
    }

    private void Swap(RouterArtifact candidate, string source)
    {
        if (candidate.FileHash == runtime.Artifact.FileHash) return;
        if (runtime.TrySwap(candidate) is string problem) GatewayLog.ArtifactRefused(logger, source, runtime.Artifact.FileHash, problem);
        else Interlocked.Increment(ref _swaps);
    }

    /// <summary>How often the router file is checked without Redis.</summary>
    public static readonly TimeSpan FileCheckEvery = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Without Redis: the router file, checked every second (its write time and length). Polling rather than inotify:
    /// it also sees a Kubernetes ConfigMap's symlink swap and network file systems, and holds no watcher per host.
    /// </summary>
    private async Task WatchFileAsync(CancellationToken stoppingToken)
    {
        if (runtime.Config.Router is not string configured) return;
        string path = Path.GetFullPath(GatewayConfigLoader.Resolve(runtime.Config, configured));
        (DateTime, long) Stamp() { var info = new FileInfo(path); return info.Exists ? (info.LastWriteTimeUtc, info.Length) : default; }
        (DateTime, long) last = Stamp();
        using var timer = new PeriodicTimer(FileCheckEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                (DateTime, long) now = Stamp();
                if (now == default || now == last) continue;
                last = now;
                try { Swap(RouterArtifact.Load(path), path); }
                catch (Exception ex) when (ex is RouterArtifactException or IOException or UnauthorizedAccessException)
                {
                    GatewayLog.ArtifactRefused(logger, path, runtime.Artifact.FileHash, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
