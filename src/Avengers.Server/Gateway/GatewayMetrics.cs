using System.Diagnostics.Metrics;

namespace Avengers.Server.Gateway;

/// <summary>Request-level instruments of the gateway (meter <c>Avengers.Gateway</c>).</summary>
public static class GatewayMetrics
{
    public const string MeterName = "Avengers.Gateway";
    private static readonly Meter Meter = new(MeterName, "1.0");

    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("avengers.gateway.requests", "{request}", "Chat completion requests, by HTTP status");
    public static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("avengers.gateway.request.duration", "ms", "Chat completion latency, by HTTP status");
    public static readonly Counter<long> Tokens = Meter.CreateCounter<long>("avengers.gateway.tokens", "{token}", "Tokens consumed by ensemble answers, by model and direction (input, output)");
    public static readonly Counter<double> Cost = Meter.CreateCounter<double>("avengers.gateway.cost", "USD", "What ensemble answers cost, by model, from the backends' prices");

    public const string BackendMeterName = "Avengers.Gateway.Backends";

    /// <summary>
    /// <c>avengers.gateway.backend.circuit_open</c>: 1 while a backend's circuit breaker is open (it gets no traffic), else 0,
    /// by backend; on a meter from the host's <see cref="IMeterFactory"/>, so each gateway reports its own backends.
    /// </summary>
    public static void ObserveCircuits(IMeterFactory meters, IReadOnlyDictionary<string, Polly.CircuitBreaker.CircuitBreakerStateProvider> circuits)
    {
        Meter meter = meters.Create(BackendMeterName);
        meter.CreateObservableGauge("avengers.gateway.backend.circuit_open", () => circuits.Select(c => new Measurement<int>(
            c.Value.CircuitState is Polly.CircuitBreaker.CircuitState.Open or Polly.CircuitBreaker.CircuitState.Isolated ? 1 : 0,
            new KeyValuePair<string, object?>("backend", c.Key))), "{circuit}", "1 while the backend's circuit breaker is open");
    }

    /// <summary>Records an ensemble answer's usage per model, and its cost where the model has prices.</summary>
    public static void RecordUsage(IReadOnlyDictionary<string, Avengers.Ensemble.ModelUsage> usage, Func<string, Avengers.Ensemble.ModelUsage, double?> costOf)
    {
        foreach (var (model, used) in usage)
        {
            var tag = new KeyValuePair<string, object?>("model", model);
            Tokens.Add(used.InputTokens, tag, new KeyValuePair<string, object?>("direction", "input"));
            Tokens.Add(used.OutputTokens, tag, new KeyValuePair<string, object?>("direction", "output"));
            if (costOf(model, used) is double cost) Cost.Add(cost, tag);
        }
    }
}
