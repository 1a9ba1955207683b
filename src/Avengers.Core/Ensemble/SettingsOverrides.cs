using Avengers.Voting;

namespace Avengers.Ensemble;

/// <summary>
/// One layer of settings over <see cref="EnsembleSettings"/> (null: keep what is below): the YAML's <c>strategy</c>
/// section, or a request's, passed in <c>ChatOptions.AdditionalProperties["avengers"]</c>.
/// </summary>
public sealed record SettingsOverrides
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
        if (Samples is < 1 or > EnsembleSettings.MaxSamples) problems.Add($"n: must lie in [1, {EnsembleSettings.MaxSamples}] (got {Samples})");
        if (TopN is < 1 or > EnsembleSettings.MaxTopN) problems.Add($"top_n: must lie in [1, {EnsembleSettings.MaxTopN}] (got {TopN})");
        if (TopK is < 1) problems.Add($"top_k: must be at least 1 (got {TopK})");
        if (Temperature is float t && !(t >= 0 && t <= 2)) problems.Add($"temperature: must lie in [0, 2] (got {Shown(t)})");
        if (SwitchThreshold is double st && !(st >= 0 && st <= 1)) problems.Add($"switch_threshold: must lie in [0, 1] (got {Shown(st)})");
        if (Alpha is double a && !(a >= 0 && a <= 1)) problems.Add($"alpha: must lie in [0, 1] (got {Shown(a)})");
        return problems;
    }

    private static string Shown(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
