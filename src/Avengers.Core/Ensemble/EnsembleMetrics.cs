using System.Diagnostics.Metrics;

namespace Avengers.Ensemble;

/// <summary>
/// Instruments of the ensemble (meter <c>Avengers</c>): routing time per phase, samples per request,
/// votes, calls saved by adaptive voting, backend errors, and decisions per cluster and model.
/// Exported by the gateway in Prometheus format; any OpenTelemetry pipeline can subscribe.
/// </summary>
public sealed class EnsembleMetrics
{
    public const string MeterName = "Avengers";
    private static readonly Meter Meter = new(MeterName, "1.0");

    public static readonly Histogram<double> RoutingTime = Meter.CreateHistogram<double>("avengers.routing.duration", "ms", "Time to embed and route a query, by phase");
    public static readonly Histogram<int> Samples = Meter.CreateHistogram<int>("avengers.samples", "{sample}", "Samples used per request");
    public static readonly Counter<long> SamplesSaved = Meter.CreateCounter<long>("avengers.samples.saved", "{sample}", "Backend calls not needed because the vote was already decided");
    public static readonly Counter<long> Votes = Meter.CreateCounter<long>("avengers.votes", "{vote}", "Votes decided, by answer type");
    public static readonly Counter<long> BackendErrors = Meter.CreateCounter<long>("avengers.backend.errors", "{error}", "Failed backend calls, by model");
    public static readonly Counter<long> Decisions = Meter.CreateCounter<long>("avengers.decisions", "{request}", "Answers returned, by cluster and chosen model");

    internal static void Record(EnsembleDecision decision, double embeddingMs, double routingMs)
    {
        RoutingTime.Record(embeddingMs, new KeyValuePair<string, object?>("phase", "embed"));
        RoutingTime.Record(routingMs, new KeyValuePair<string, object?>("phase", "route"));
        Samples.Record(decision.SamplesUsed, new KeyValuePair<string, object?>("strategy", decision.Strategy));
        if (decision.SamplesSaved > 0) SamplesSaved.Add(decision.SamplesSaved);
        if (decision.Winner is not null) Votes.Add(1, new KeyValuePair<string, object?>("answer_type", decision.AnswerType));
        Decisions.Add(1, new KeyValuePair<string, object?>("cluster", decision.Cluster), new KeyValuePair<string, object?>("model", decision.ChosenModel));
    }

    internal static void BackendError(string model) => BackendErrors.Add(1, new KeyValuePair<string, object?>("model", model));
}
