using YamlDotNet.Serialization;

namespace Avengers.Server.Configuration;

public sealed record StrategyConfig
{
    /// <summary>direct | vote | switch; null: the router artifact's choice (made by cross-validation at calibration).</summary>
    [YamlMember(Alias = "default"), ConfigurationKeyName("default")] public string? Default { get; init; }
    /// <summary>Samples per request; null: <see cref="Avengers.Ensemble.EnsembleSettings.DefaultSamples"/>.</summary>
    [YamlMember(Alias = "n"), ConfigurationKeyName("n")] public int? Samples { get; init; }
    /// <summary>Models the samples are spread over; null: the router artifact's choice.</summary>
    [YamlMember(Alias = "top_n"), ConfigurationKeyName("top_n")] public int? TopN { get; init; }
    /// <summary>Clusters blended per partition; null: the router artifact's choice.</summary>
    [YamlMember(Alias = "top_k"), ConfigurationKeyName("top_k")] public int? TopK { get; init; }
    // Null keeps the setting below this layer: every default is EnsembleSettings' (one set of defaults and ranges).
    [YamlMember(Alias = "temperature"), ConfigurationKeyName("temperature")] public float? Temperature { get; init; }
    [YamlMember(Alias = "adaptive"), ConfigurationKeyName("adaptive")] public bool? Adaptive { get; init; }
    [YamlMember(Alias = "switch_threshold"), ConfigurationKeyName("switch_threshold")] public double? SwitchThreshold { get; init; }
    /// <summary>Cost-aware routing weight of accuracy against cost (needs an artifact calibrated with prices).</summary>
    [YamlMember(Alias = "alpha"), ConfigurationKeyName("alpha")] public double? Alpha { get; init; }

    /// <summary>This section as the layer it is over the artifact's policy (validate first: an unknown strategy name is left out).</summary>
    public Avengers.Ensemble.SettingsOverrides ToOverrides() => new()
    {
        Strategy = Default is string named && Avengers.Voting.EnsembleStrategies.TryParse(named, out Avengers.Voting.EnsembleStrategy parsed) ? parsed : null,
        Samples = Samples,
        TopN = TopN,
        TopK = TopK,
        Temperature = Temperature,
        Adaptive = Adaptive,
        SwitchThreshold = SwitchThreshold,
        Alpha = Alpha,
    };
}
