using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Avengers.Tests;

/// <summary>
/// A real redis-server (Debian's package, which .ci/run installs) on a free loopback port, without persistence, owned by
/// the test: it can be stopped and started again on the same port to play an outage.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    /// <summary>Set by .ci/run: the redis-server it installed and started for the run ("host:port").</summary>
    public const string SharedVariable = "AVENGERS_TEST_REDIS";

    private Process? _process;
    private readonly string? _shared;

    private RedisServer(int port, string? shared = null)
    {
        Port = port;
        _shared = shared;
    }

    public int Port { get; }
    public string Configuration => _shared ?? $"127.0.0.1:{Port}";

    /// <summary>
    /// The run's shared server when .ci/run started one (tests keep apart by key prefix), else one of the test's own.
    /// A test that stops and starts Redis needs its own: <see cref="StartAsync"/>.
    /// </summary>
    public static Task<RedisServer> SharedOrStartAsync()
        => Environment.GetEnvironmentVariable(SharedVariable) is { Length: > 0 } shared ? Task.FromResult(new RedisServer(0, shared)) : StartAsync();

    public static async Task<RedisServer> StartAsync()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var server = new RedisServer(port);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on its port and waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        string binary = File.Exists("/usr/bin/redis-server") ? "/usr/bin/redis-server"
            : throw new InvalidOperationException("redis-server not found: install Debian's redis-server package (bash .ci/run does)");
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" }) info.ArgumentList.Add(arg);
        _process = Process.Start(info)!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                NetworkStream stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                int read = await stream.ReadAsync(buffer);
                if (read > 0 && System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal)) return;
            }
            catch (SocketException) { }
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"redis-server did not answer on port {Port} within 20 s");
    }

    /// <summary>Kills the server (an outage: connections drop at once).</summary>
    public async Task StopAsync()
    {
        if (_shared is not null) throw new InvalidOperationException("the run's shared Redis is not the test's to stop: use RedisServer.StartAsync");
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_shared is null) await StopAsync();
    }
}
