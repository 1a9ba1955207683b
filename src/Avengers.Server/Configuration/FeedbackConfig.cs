using YamlDotNet.Serialization;

namespace Avengers.Server.Configuration;

/// <summary>Live feedback settings.</summary>
public sealed record FeedbackConfig
{
    /// <summary>How long after an answer it can be rated (its decision is remembered that long).</summary>
    [YamlMember(Alias = "ttl_minutes"), ConfigurationKeyName("ttl_minutes")] public double TtlMinutes { get; init; } = 60;
    /// <summary>Most decisions remembered at once in this process (Redis keeps them by TTL alone).</summary>
    [YamlMember(Alias = "max_remembered"), ConfigurationKeyName("max_remembered")] public int MaxRemembered { get; init; } = 100_000;
    /// <summary>After this long live evidence counts half (so drift is followed and noise forgotten).</summary>
    [YamlMember(Alias = "half_life_hours"), ConfigurationKeyName("half_life_hours")] public double HalfLifeHours { get; init; } = 72;
    /// <summary>Most live answers one cluster and model may hold (null: no cap): for deployments whose raters are not all trusted.</summary>
    [YamlMember(Alias = "max_live_per_cluster"), ConfigurationKeyName("max_live_per_cluster")] public double? MaxLivePerCluster { get; init; }
    /// <summary>
    /// The change detector's threshold (a CUSUM per cluster and model, in log-likelihood units): past it, the model
    /// changed in that cluster and its calibration there is set aside, coming back with half_life_hours. 3 by default,
    /// rising with the live evidence a cell holds; lower reacts sooner and raises more false alarms (docs/findings.md,
    /// sections 13d and 13e). Each model as a whole is watched too, at this threshold plus 2, for a fall to half of its
    /// live record; found there, its calibration is scaled everywhere (13g). 0 turns both off.
    /// </summary>
    [YamlMember(Alias = "change_threshold"), ConfigurationKeyName("change_threshold")] public double ChangeThreshold { get; init; } = Avengers.Scoring.LiveEvidence.DefaultChangeThreshold;
    /// <summary>Replaced by <see cref="ChangeThreshold"/>; read only to say so.</summary>
    [YamlMember(Alias = "change_point_z"), ConfigurationKeyName("change_point_z")] public double? ChangePointZ { get; init; }
    /// <summary>
    /// Most ratings one key may give per clock hour (null: no cap): one rater cannot outweigh the calibration. Over it,
    /// 429 with Retry-After; counted across replicas in fleet mode.
    /// </summary>
    [YamlMember(Alias = "max_ratings_per_key_per_hour"), ConfigurationKeyName("max_ratings_per_key_per_hour")] public int? MaxRatingsPerKeyPerHour { get; init; }
    /// <summary>
    /// JSON Lines file every applied rating is appended to, in the benchmark format (the question, each rated model's
    /// outcome as its score), for <c>avengers feedback export</c> and <c>calibrate --feedback</c>; null: none. In fleet
    /// mode the log is a Redis list instead.
    /// </summary>
    [YamlMember(Alias = "log"), ConfigurationKeyName("log")] public string? Log { get; init; }
}
