using System.Diagnostics;
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
    private readonly Counter<long> _refused;

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
        _refused = meter.CreateCounter<long>("avengers.gateway.limit.refused", "{request}", "Requests a key's limits refused, by key name and limit (requests, tokens, budget; store_unavailable: Redis unreachable with redis_failure closed)");
        _changes = meter.CreateCounter<long>("avengers_gateway_feedback_model_changes", "{cluster}", "Findings of live feedback that a model changed, by model and scope: cluster (its calibration set aside there) or model (its calibration scaled everywhere)");
        meterFactory.Create(BackendMeterName, "1.0").CreateObservableGauge("avengers.gateway.backend.circuit_open",
            () => backends.Select(b => new Measurement<int>(circuits.IsOpen(b) ? 1 : 0, new KeyValuePair<string, object?>("backend", b))),
            "{circuit}", "1 while the backend's circuit breaker is open");
    }

    /// <param name="status">The response's HTTP status.</param>
    /// <param name="milliseconds">How long the request took.</param>
    /// <param name="key">The name of the gateway key it presented (never the key itself); null without keys.</param>
    public void RecordRequest(int status, double milliseconds, string? key)
    {
        var tags = new TagList { { "status", status } };
        if (key is not null) tags.Add("key", key);
        _requests.Add(1, tags);
        _latency.Record(milliseconds, tags);
    }

    /// <summary>Counts a request refused by the limits of the key named <paramref name="key"/>.</summary>
    public void RecordRefused(string key, string limit) => _refused.Add(1, new KeyValuePair<string, object?>("key", key), new KeyValuePair<string, object?>("limit", limit));

    /// <summary>Counts a cluster in which feedback found <paramref name="model"/> changed (scope "cluster"), or the model found changed as a whole (scope "model").</summary>
    public void RecordModelChange(string model, bool everywhere = false)
        => _changes.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("scope", everywhere ? "model" : "cluster"));

    /// <summary>Records an ensemble answer's usage per model, and its cost where the model has prices.</summary>
    /// <param name="usage">Tokens per model.</param>
    /// <param name="costOf">A model's cost for its usage (null: no prices configured).</param>
    /// <param name="key">The name of the gateway key that asked (never the key itself); null without keys.</param>
    public void RecordUsage(IReadOnlyDictionary<string, Avengers.Ensemble.ModelUsage> usage, Func<string, Avengers.Ensemble.ModelUsage, double?> costOf, string? key)
    {
        foreach (var (model, used) in usage)
        {
            var tags = new TagList { { "model", model } };
            if (key is not null) tags.Add("key", key);
            var input = tags;
            input.Add("direction", "input");
            var output = tags;
            output.Add("direction", "output");
            _tokens.Add(used.InputTokens, input);
            _tokens.Add(used.OutputTokens, output);
            if (costOf(model, used) is double cost) _cost.Add(cost, tags);
        }
    }
}
