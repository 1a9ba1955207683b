using System.Diagnostics.Metrics;

namespace Avengers.Server.Gateway;

/// <summary>
/// Request-level instruments of the gateway (meter <c>Avengers.Gateway</c>) and the backends' circuit gauge
/// (meter <c>Avengers.Gateway.Backends</c>), on meters from the host's <see cref="IMeterFactory"/>.
/// </summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "Avengers.Gateway";
    public const string BackendMeterName = "Avengers.Gateway.Backends";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _changes;

    /// <param name="circuits">Observed by <c>avengers.gateway.backend.circuit_open</c>: 1 while a backend's breaker is open, else 0.</param>
    /// <param name="backends">The configured backends (each reports 0 until its circuit first opens).</param>
    public GatewayMetrics(IMeterFactory meterFactory, BackendCircuits circuits, IReadOnlyList<string> backends)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(circuits);
        Meter meter = meterFactory.Create(MeterName, "1.0");
        _requests = meter.CreateCounter<long>("avengers.gateway.requests", "{request}", "Chat completion requests, by HTTP status");
        _latency = meter.CreateHistogram<double>("avengers.gateway.request.duration", "ms", "Chat completion latency, by HTTP status");
        _tokens = meter.CreateCounter<long>("avengers.gateway.tokens", "{token}", "Tokens consumed by ensemble answers, by model and direction (input, output)");
        _cost = meter.CreateCounter<double>("avengers.gateway.cost", "USD", "What ensemble answers cost, by model, from the backends' prices");
        _changes = meter.CreateCounter<long>("avengers_gateway_feedback_model_changes", "{cluster}", "Clusters in which live feedback found a model changed (its calibration set aside there), by model");
        meterFactory.Create(BackendMeterName, "1.0").CreateObservableGauge("avengers.gateway.backend.circuit_open",
            () => backends.Select(b => new Measurement<int>(circuits.IsOpen(b) ? 1 : 0, new KeyValuePair<string, object?>("backend", b))),
            "{circuit}", "1 while the backend's circuit breaker is open");
    }

    public void RecordRequest(int status, double milliseconds)
    {
        var tag = new KeyValuePair<string, object?>("status", status);
        _requests.Add(1, tag);
        _latency.Record(milliseconds, tag);
    }

    /// <summary>Counts a cluster in which feedback found <paramref name="model"/> changed.</summary>
    public void RecordModelChange(string model) => _changes.Add(1, new KeyValuePair<string, object?>("model", model));

    /// <summary>Records an ensemble answer's usage per model, and its cost where the model has prices.</summary>
    public void RecordUsage(IReadOnlyDictionary<string, Avengers.Ensemble.ModelUsage> usage, Func<string, Avengers.Ensemble.ModelUsage, double?> costOf)
    {
        foreach (var (model, used) in usage)
        {
            var tag = new KeyValuePair<string, object?>("model", model);
            _tokens.Add(used.InputTokens, tag, new KeyValuePair<string, object?>("direction", "input"));
            _tokens.Add(used.OutputTokens, tag, new KeyValuePair<string, object?>("direction", "output"));
            if (costOf(model, used) is double cost) _cost.Add(cost, tag);
        }
    }
}
