using System.Diagnostics.Metrics;

namespace Avengers.Ensemble;

/// <summary>
/// Instruments of the ensemble (meter <c>Avengers</c>): routing time per phase, samples per request,
/// votes, calls saved by adaptive voting, backend errors, and decisions per cluster and model.
/// The meter comes from the host's <see cref="IMeterFactory"/> (so each host and test sees its own), or is owned
/// by this object when there is none; the gateway exports it in Prometheus format, any OpenTelemetry pipeline can subscribe.
/// </summary>
public sealed class EnsembleMetrics : IDisposable
{
    /// <summary>The meter's name, for OpenTelemetry's <c>AddMeter</c>.</summary>
    public const string MeterName = "Avengers";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _routingTime;
    private readonly Histogram<int> _samples;
    private readonly Counter<long> _samplesSaved;
    private readonly Counter<long> _votes;
    private readonly Counter<long> _backendErrors;
    private readonly Counter<long> _decisions;

    /// <summary>Creates the instruments on a meter of <paramref name="meterFactory"/>, or on an owned meter when there is none.</summary>
    /// <param name="meterFactory">The host's meter factory (from <c>AddMetrics</c>); null: an owned meter, disposed with this object.</param>
    public EnsembleMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName, "1.0") ?? new Meter(MeterName, "1.0");
        _routingTime = _meter.CreateHistogram<double>("avengers.routing.duration", "ms", "Time to embed and route a query, by phase");
        _samples = _meter.CreateHistogram<int>("avengers.samples", "{sample}", "Samples used per request");
        _samplesSaved = _meter.CreateCounter<long>("avengers.samples.saved", "{sample}", "Backend calls not needed because the vote was already decided");
        _votes = _meter.CreateCounter<long>("avengers.votes", "{vote}", "Votes decided, by answer type");
        _backendErrors = _meter.CreateCounter<long>("avengers.backend.errors", "{error}", "Failed backend calls, by model");
        _decisions = _meter.CreateCounter<long>("avengers.decisions", "{request}", "Answers returned, by cluster and chosen model");
    }

    internal void Record(EnsembleDecision decision, double embeddingMs, double routingMs)
    {
        _routingTime.Record(embeddingMs, new KeyValuePair<string, object?>("phase", "embed"));
        _routingTime.Record(routingMs, new KeyValuePair<string, object?>("phase", "route"));
        _samples.Record(decision.SamplesUsed, new KeyValuePair<string, object?>("strategy", decision.Strategy));
        if (decision.SamplesSaved > 0) _samplesSaved.Add(decision.SamplesSaved);
        if (decision.Winner is not null) _votes.Add(1, new KeyValuePair<string, object?>("answer_type", decision.AnswerType));
        _decisions.Add(1, new KeyValuePair<string, object?>("cluster", decision.Cluster), new KeyValuePair<string, object?>("model", decision.ChosenModel));
    }

    internal void BackendError(string model) => _backendErrors.Add(1, new KeyValuePair<string, object?>("model", model));

    /// <summary>Disposes the meter when this object owns it.</summary>
    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
