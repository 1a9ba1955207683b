using Avengers.Server.Configuration;
using StackExchange.Redis;

namespace Avengers.Server.Fleet;

/// <summary>
/// Fleet mode's one connection to Redis (any Redis 7 compatible server: Redis, Valkey, Garnet), shared by the
/// embedding cache and the key limits. It never blocks start-up or a request: the connection is made in the
/// background and remade by itself when the server returns, and every call has the configured short timeout.
/// </summary>
public sealed class RedisFleet : IDisposable
{
    private RedisFleet(ConnectionMultiplexer connection, string prefix, TimeSpan timeout, bool failClosed)
    {
        Connection = connection;
        Prefix = prefix;
        Timeout = timeout;
        FailClosed = failClosed;
    }

    /// <summary>The multiplexed connection (thread-safe, one per process).</summary>
    public ConnectionMultiplexer Connection { get; }
    /// <summary>Prefix of every key this gateway writes.</summary>
    public string Prefix { get; }
    /// <summary>Longest a Redis call may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; }
    /// <summary>redis_failure: closed (refuse requests with limits while Redis is down) rather than open.</summary>
    public bool FailClosed { get; }
    /// <summary>True while the connection is up.</summary>
    public bool IsConnected => Connection.IsConnected;

    /// <summary>The connection the configuration asks for, or null without <c>redis</c> (everything stays in this process).</summary>
    public static RedisFleet? Create(GatewayConfig config, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.RedisConnection(environment) is not string connection) return null;
        var timeout = TimeSpan.FromMilliseconds(config.RedisTimeoutMilliseconds);
        ConfigurationOptions options = ConfigurationOptions.Parse(connection);
        options.AbortOnConnectFail = false;                       // start without Redis; connect when it is there
        options.ConnectTimeout = Math.Max(1000, (int)timeout.TotalMilliseconds * 4);
        options.SyncTimeout = (int)timeout.TotalMilliseconds;
        options.AsyncTimeout = (int)timeout.TotalMilliseconds;
        options.ReconnectRetryPolicy = new LinearRetry(500);       // back within a second of the server's return
        options.ClientName ??= "avengers-gateway";
        return new RedisFleet(ConnectionMultiplexer.Connect(options), config.RedisPrefix, timeout, config.RedisFailure == "closed");
    }

    /// <summary>The key under this gateway's prefix.</summary>
    public RedisKey Key(string name) => Prefix + name;

    /// <summary>Closes the connection.</summary>
    public void Dispose() => Connection.Dispose();
}
