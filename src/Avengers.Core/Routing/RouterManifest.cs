using System.Text.Json.Serialization;

namespace Avengers.Routing;

/// <summary>What produced a router artifact and how to use it. Serialized as manifest.json.</summary>
public sealed record RouterManifest
{
    public const string FormatName = "avengers-router";
    public const int CurrentVersion = 3;
    /// <summary>
    /// Version 1 had no partitions field (one clustering); it reads as version 2 with one partition. Version 2
    /// had no ensemble policy; it reads as its defaults (strategy, top-n, top-k, weighted vote).
    /// </summary>
    public const int OldestReadableVersion = 1;

    [JsonPropertyName("format")] public string Format { get; init; } = FormatName;
    [JsonPropertyName("version")] public int Version { get; init; } = CurrentVersion;
    [JsonPropertyName("created_utc")] public DateTimeOffset CreatedUtc { get; init; }
    [JsonPropertyName("tool")] public string Tool { get; init; } = "";
    [JsonPropertyName("embedding")] public required EmbeddingInfo Embedding { get; init; }
    [JsonPropertyName("clustering")] public required ClusteringInfo Clustering { get; init; }
    [JsonPropertyName("data")] public required DataInfo Data { get; init; }
    [JsonPropertyName("scoring")] public required ScoringInfo Scoring { get; init; }
    /// <summary>Every model scored, in the order of the score table's columns.</summary>
    [JsonPropertyName("models")] public required IReadOnlyList<string> Models { get; init; }
    /// <summary>The models routing ranks, best first by automatic selection.</summary>
    [JsonPropertyName("selected")] public required IReadOnlyList<string> Selected { get; init; }
    [JsonPropertyName("defaults")] public required RouterDefaults Defaults { get; init; }
    /// <summary>The ensemble configuration chosen at calibration (null in artifacts older than version 3).</summary>
    [JsonPropertyName("policy")] public Ensemble.EnsemblePolicy? Policy { get; init; }
    /// <summary>
    /// Per cluster (all partitions): the answer type of at least <see cref="AnswerTypeShare"/> of its training items
    /// ("" when mixed), so that live responses are read the way calibration read them. Null when unknown.
    /// </summary>
    [JsonPropertyName("cluster_answer_types")] public IReadOnlyList<string>? ClusterAnswerTypes { get; init; }

    public const double AnswerTypeShare = 0.8;

    public sealed record EmbeddingInfo(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("dimension")] int Dimension,
        [property: JsonPropertyName("normalization")] string Normalization = "l2",
        [property: JsonPropertyName("input")] string Input = "question");

    /// <summary>A cluster's name as the CLI and the gateway show it: "7" with one partition, "partition:cluster" ("2:7") with several.</summary>
    public string ClusterName(int cluster)
        => Clustering.Partitions <= 1 ? cluster.ToString(System.Globalization.CultureInfo.InvariantCulture)
           : $"{cluster / Clustering.K}:{cluster % Clustering.K}";

    public sealed record ClusteringInfo(
        [property: JsonPropertyName("method")] string Method,
        [property: JsonPropertyName("k")] int K,
        [property: JsonPropertyName("seed")] int Seed,
        [property: JsonPropertyName("restarts")] int Restarts,
        [property: JsonPropertyName("inertia")] double Inertia,
        [property: JsonPropertyName("partitions")] int Partitions = 1)
    {
        /// <summary>Centroids stored: K per partition, partition after partition.</summary>
        [JsonIgnore] public int TotalClusters => K * Partitions;
    }

    public sealed record DataInfo(
        [property: JsonPropertyName("source")] string Source,
        [property: JsonPropertyName("sha256")] string Sha256,
        [property: JsonPropertyName("train_items")] int TrainItems,
        [property: JsonPropertyName("excluded_duplicates")] int ExcludedDuplicates);

    public sealed record ScoringInfo(
        [property: JsonPropertyName("prior_strength")] double PriorStrength,
        [property: JsonPropertyName("interval")] string Interval = "wilson-95");

    public sealed record RouterDefaults(
        [property: JsonPropertyName("strategy")] string Strategy,
        [property: JsonPropertyName("top_n")] int TopN,
        [property: JsonPropertyName("top_k")] int TopK,
        [property: JsonPropertyName("beta")] double Beta,
        [property: JsonPropertyName("switch_threshold")] double SwitchThreshold,
        [property: JsonPropertyName("weighted_vote")] bool WeightedVote = false,
        [property: JsonPropertyName("alpha")] double? Alpha = null);
}
