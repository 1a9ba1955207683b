using System.Diagnostics.Metrics;

namespace Avengers.Server.Gateway;

/// <summary>Request-level instruments of the gateway (meter <c>Avengers.Gateway</c>).</summary>
public static class GatewayMetrics
{
    public const string MeterName = "Avengers.Gateway";
    private static readonly Meter Meter = new(MeterName, "1.0");

    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("avengers.gateway.requests", "{request}", "Chat completion requests, by HTTP status");
    public static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("avengers.gateway.request.duration", "ms", "Chat completion latency, by HTTP status");
}
