using Avengers.Voting;
using Avengers.Routing;

namespace Avengers.Ensemble;

/// <summary>
/// The ensemble's settings, with the one set of defaults and ranges. The gateway layers them: the artifact's calibrated
/// policy (<see cref="From"/>), then the YAML's <c>strategy</c> section, then each request's <c>avengers</c> object, each
/// layer an <see cref="EnsembleOverrides"/> applied with <see cref="With"/>.
/// </summary>
public sealed record EnsembleChatOptions
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
    public int TopN { get; init; } = 1;
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
    public static EnsembleChatOptions From(EnsemblePolicy policy, Routing.RoutingOptions? routing = null) => new()
    {
        Strategy = policy.StrategyKind, TopN = policy.TopN, SwitchThreshold = policy.SwitchThreshold,
        Routing = policy.Routing(routing ?? new Routing.RoutingOptions()), Policy = policy,
    };

    /// <summary>
    /// These settings with a layer of overrides on top (what the layer leaves null stays). A layer that names a strategy
    /// or top_n gets exactly that, without the calibrated policy's per-query parts.
    /// </summary>
    /// <exception cref="ArgumentException">The result breaks a range (all problems listed).</exception>
    public EnsembleChatOptions With(EnsembleOverrides layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        EnsembleChatOptions merged = this with
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
        var problems = new List<string>(new EnsembleOverrides
        {
            Samples = Samples, TopN = TopN, TopK = Routing.TopK, Temperature = Temperature, SwitchThreshold = SwitchThreshold, Alpha = Routing.Alpha,
        }.Problems());
        if (MaxCallsPerRequest is < 1 or > 10_000) problems.Add($"max calls per request must lie in [1, 10000] (got {MaxCallsPerRequest})");
        if (MaxParallelSamples is < 1) problems.Add($"max parallel samples must be at least 1 (got {MaxParallelSamples})");
        if (problems.Count > 0) throw new ArgumentException("invalid ensemble options: " + string.Join("; ", problems));
        Routing.Validate();
    }
}

/// <summary>
/// One layer of settings over <see cref="EnsembleChatOptions"/> (null: keep what is below): the YAML's <c>strategy</c>
/// section, or a request's, passed in <c>ChatOptions.AdditionalProperties["avengers"]</c>.
/// </summary>
public sealed record EnsembleOverrides
{
    /// <summary>The key of the layer in <c>ChatOptions.AdditionalProperties</c> (and of the decision in a response's).</summary>
    public const string Key = "avengers";
    /// <summary>direct, vote or switch.</summary>
    public EnsembleStrategy? Strategy { get; init; }
    /// <summary>Samples per request (n).</summary>
    public int? Samples { get; init; }
    /// <summary>Models the samples are spread over.</summary>
    public int? TopN { get; init; }
    /// <summary>Clusters blended per partition.</summary>
    public int? TopK { get; init; }
    /// <summary>Sampling temperature of the samples that vote.</summary>
    public float? Temperature { get; init; }
    /// <summary>Stop sampling once the vote is decided.</summary>
    public bool? Adaptive { get; init; }
    /// <summary>Switch strategy: the top model's vote share below which the next model is asked.</summary>
    public double? SwitchThreshold { get; init; }
    /// <summary>Cost-aware routing weight (needs an artifact calibrated with prices).</summary>
    public double? Alpha { get; init; }

    /// <summary>
    /// The one place the ranges of these settings are checked, for the YAML section, a request's <c>avengers</c> object
    /// and the merged options alike: each problem as "field: what was expected (got ...)", with the wire names
    /// (<c>n</c>, <c>top_n</c>, ...) so that a host can prefix its section (<c>strategy.</c>, <c>avengers.</c>).
    /// </summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Samples is < 1 or > EnsembleChatOptions.MaxSamples) problems.Add($"n: must lie in [1, {EnsembleChatOptions.MaxSamples}] (got {Samples})");
        if (TopN is < 1 or > EnsembleChatOptions.MaxTopN) problems.Add($"top_n: must lie in [1, {EnsembleChatOptions.MaxTopN}] (got {TopN})");
        if (TopK is < 1) problems.Add($"top_k: must be at least 1 (got {TopK})");
        if (Temperature is float t && !(t >= 0 && t <= 2)) problems.Add($"temperature: must lie in [0, 2] (got {Shown(t)})");
        if (SwitchThreshold is double st && !(st >= 0 && st <= 1)) problems.Add($"switch_threshold: must lie in [0, 1] (got {Shown(st)})");
        if (Alpha is double a && !(a >= 0 && a <= 1)) problems.Add($"alpha: must lie in [0, 1] (got {Shown(a)})");
        return problems;
    }

    private static string Shown(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
