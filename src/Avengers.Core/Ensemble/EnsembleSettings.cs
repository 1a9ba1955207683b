using Avengers.Voting;
using Avengers.Routing;

namespace Avengers.Ensemble;

/// <summary>
/// The ensemble's settings, with the one set of defaults and ranges. The gateway layers them: the artifact's calibrated
/// policy (<see cref="From"/>), then the YAML's <c>strategy</c> section, then each request's <c>avengers</c> object, each
/// layer an <see cref="SettingsOverrides"/> applied with <see cref="With"/>.
/// </summary>
public sealed record EnsembleSettings
{
    /// <summary>Samples per request unless set: self-consistency's ten.</summary>
    public const int DefaultSamples = 10;
    /// <summary>The one range of n (samples per request) for the YAML, the request's n and its avengers.n.</summary>
    public const int MaxSamples = 64;
    /// <summary>The one range of top_n for the YAML and the request.</summary>
    public const int MaxTopN = 64;
    /// <summary>Sampling temperature unless set (0.7, as self-consistency samples).</summary>
    public const float DefaultTemperature = 0.7f;

    /// <summary>How the ranked models answer: direct, vote or switch.</summary>
    public EnsembleStrategy Strategy { get; init; } = EnsembleStrategy.Vote;
    /// <summary>Samples drawn for a vote (self-consistency uses 10 at temperature 0.7).</summary>
    public int Samples { get; init; } = DefaultSamples;
    /// <summary>Models the samples are spread over (1: self-consistency of the top model).</summary>
    public int TopN { get; init; } = EnsembleStrategies.DefaultTopN;
    /// <summary>Sampling temperature of the samples that vote.</summary>
    public float Temperature { get; init; } = DefaultTemperature;
    /// <summary>Switch strategy: the top model's vote share below which the next model is asked.</summary>
    public double SwitchThreshold { get; init; } = EnsembleStrategies.DefaultSwitchThreshold;
    /// <summary>Stop sampling once the leading answer can no longer be overtaken, and cancel the calls still out.</summary>
    public bool Adaptive { get; init; } = true;
    /// <summary>Backend calls one request may make in all (samples, the switch's second model, fallbacks); one call with n counts once.</summary>
    public int MaxCallsPerRequest { get; init; } = DefaultMaxCalls;
    /// <summary>The cap on backend calls per request unless set.</summary>
    public const int DefaultMaxCalls = 32;
    /// <summary>Calls in flight at once per request (null: all samples at once).</summary>
    public int? MaxParallelSamples { get; init; }
    /// <summary>How a query is routed: clusters blended (top-k), their sharpness (beta), cost-aware weight (alpha).</summary>
    public Routing.RoutingOptions Routing { get; init; } = new();
    /// <summary>
    /// The calibrated policy whose per-query parts apply on top of these settings: the guard's fixed model, the
    /// clusters where the top model alone beat the vote, weighted votes. Null: none. Ignored for a request that
    /// names its own strategy.
    /// </summary>
    public EnsemblePolicy? Policy { get; init; }

    /// <summary>The settings a calibrated policy asks for (strategy, top-n, top-k, switch threshold), with the policy itself attached.</summary>
    public static EnsembleSettings From(EnsemblePolicy policy, Routing.RoutingOptions? routing = null) => new()
    {
        Strategy = policy.StrategyKind,
        TopN = policy.TopN,
        SwitchThreshold = policy.SwitchThreshold,
        Routing = policy.Routing(routing ?? new Routing.RoutingOptions()),
        Policy = policy,
    };

    /// <summary>
    /// These settings with a layer of overrides on top (what the layer leaves null stays). A layer that names a strategy
    /// or top_n gets exactly that, without the calibrated policy's per-query parts.
    /// </summary>
    /// <exception cref="ArgumentException">The result breaks a range (all problems listed).</exception>
    public EnsembleSettings With(SettingsOverrides layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        EnsembleSettings merged = this with
        {
            Policy = layer.Strategy is null && layer.TopN is null ? Policy : null,
            Strategy = layer.Strategy ?? Strategy,
            Samples = layer.Samples ?? Samples,
            TopN = layer.TopN ?? TopN,
            Temperature = layer.Temperature ?? Temperature,
            Adaptive = layer.Adaptive ?? Adaptive,
            SwitchThreshold = layer.SwitchThreshold ?? SwitchThreshold,
            Routing = Routing with { TopK = layer.TopK ?? Routing.TopK, Alpha = layer.Alpha ?? Routing.Alpha },
        };
        merged.Validate();
        return merged;
    }

    /// <summary>Throws when a setting is out of its range.</summary>
    /// <exception cref="ArgumentException">Every setting out of range, listed.</exception>
    public void Validate()
    {
        var problems = new List<string>(new SettingsOverrides
        {
            Samples = Samples,
            TopN = TopN,
            TopK = Routing.TopK,
            Temperature = Temperature,
            SwitchThreshold = SwitchThreshold,
            Alpha = Routing.Alpha,
        }.Problems());
        if (MaxCallsPerRequest is < 1 or > 10_000) problems.Add($"max calls per request must lie in [1, 10000] (got {MaxCallsPerRequest})");
        if (MaxParallelSamples is < 1) problems.Add($"max parallel samples must be at least 1 (got {MaxParallelSamples})");
        if (problems.Count > 0) throw new ArgumentException("invalid ensemble options: " + string.Join("; ", problems));
        Routing.Validate();
    }
}
