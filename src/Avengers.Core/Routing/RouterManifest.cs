using System.Text.Json.Serialization;

namespace Avengers.Routing;

/// <summary>What produced a router artifact and how to use it. Serialized as manifest.json.</summary>
public sealed record RouterManifest
{
    /// <summary>The format's name in every manifest.</summary>
    public const string FormatName = "avengers-router";
    /// <summary>The version this build writes.</summary>
    public const int CurrentVersion = 3;
    /// <summary>
    /// Version 1 had no partitions field (one clustering); it reads as version 2 with one partition. Version 2
    /// had no ensemble policy; it reads as its defaults (strategy, top-n, top-k, weighted vote).
    /// </summary>
    public const int OldestReadableVersion = 1;

    /// <summary>Always <see cref="FormatName"/>.</summary>
    [JsonPropertyName("format")] public string Format { get; init; } = FormatName;
    /// <summary>The format version the artifact was written in.</summary>
    [JsonPropertyName("version")] public int Version { get; init; } = CurrentVersion;
    /// <summary>When the artifact was written.</summary>
    [JsonPropertyName("created_utc")] public DateTimeOffset CreatedUtc { get; init; }
    /// <summary>The tool and version that wrote it.</summary>
    [JsonPropertyName("tool")] public string Tool { get; init; } = "";
    /// <summary>The embedding model the centroids live in.</summary>
    [JsonPropertyName("embedding")] public required EmbeddingInfo Embedding { get; init; }
    /// <summary>How the queries were clustered.</summary>
    [JsonPropertyName("clustering")] public required ClusteringInfo Clustering { get; init; }
    /// <summary>The data calibration ran on.</summary>
    [JsonPropertyName("data")] public required DataInfo Data { get; init; }
    /// <summary>How cluster accuracies were smoothed.</summary>
    [JsonPropertyName("scoring")] public required ScoringInfo Scoring { get; init; }
    /// <summary>Every model scored, in the order of the score table's columns.</summary>
    [JsonPropertyName("models")] public required IReadOnlyList<string> Models { get; init; }
    /// <summary>The models routing ranks, best first by automatic selection.</summary>
    [JsonPropertyName("selected")] public required IReadOnlyList<string> Selected { get; init; }
    /// <summary>The routing and ensemble settings calibration used.</summary>
    [JsonPropertyName("defaults")] public required RouterDefaults Defaults { get; init; }
    /// <summary>The ensemble configuration chosen at calibration (null in artifacts older than version 3).</summary>
    [JsonPropertyName("policy")] public Avengers.Routing.EnsemblePolicy? Policy { get; init; }
    /// <summary>
    /// Per cluster (all partitions): the answer type of at least <see cref="AnswerTypeShare"/> of its training items
    /// ("" when mixed), so that live responses are read the way calibration read them. Null when unknown.
    /// </summary>
    [JsonPropertyName("cluster_answer_types")] public IReadOnlyList<string>? ClusterAnswerTypes { get; init; }

    /// <summary>The distinct grading rules of the training data (regex, JSON field, case), referred to by <see cref="ClusterGradingRules"/>.</summary>
    [JsonPropertyName("grading_rules")] public IReadOnlyList<Avengers.Answers.GradingRule>? GradingRules { get; init; }
    /// <summary>
    /// Per cluster (all partitions): the index in <see cref="GradingRules"/> of the rule at least <see cref="AnswerTypeShare"/>
    /// of its training items were read by (-1: none or mixed), so that live responses are read by it too. Null: no rules.
    /// </summary>
    [JsonPropertyName("cluster_grading_rules")] public IReadOnlyList<int>? ClusterGradingRules { get; init; }

    /// <summary>The share of a cluster's training items that must share an answer type for the cluster to have one.</summary>
    public const double AnswerTypeShare = 0.8;

    /// <summary>The embedding model of the centroids.</summary>
    /// <param name="Model">Its id.</param>
    /// <param name="Dimension">Length of its vectors.</param>
    /// <param name="Normalization">How vectors were normalised (l2).</param>
    /// <param name="Input">What was embedded: question, or question+choices.</param>
    public sealed record EmbeddingInfo(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("dimension")] int Dimension,
        [property: JsonPropertyName("normalization")] string Normalization = "l2",
        [property: JsonPropertyName("input")] string Input = "question");

    /// <summary>A cluster's name as the CLI and the gateway show it: "7" with one partition, "partition:cluster" ("2:7") with several.</summary>
    public string ClusterName(int cluster)
        => Clustering.Partitions <= 1 ? cluster.ToString(System.Globalization.CultureInfo.InvariantCulture)
           : $"{cluster / Clustering.K}:{cluster % Clustering.K}";

    /// <summary>How the queries were clustered.</summary>
    /// <param name="Method">kmeans, ward, gmm, birch or spectral.</param>
    /// <param name="K">Clusters per partition.</param>
    /// <param name="Seed">Seed of the first partition.</param>
    /// <param name="Restarts">Starts per partition.</param>
    /// <param name="Inertia">Within-cluster sum of squares of the first partition.</param>
    /// <param name="Partitions">Independently seeded clusterings.</param>
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

    /// <summary>The data calibration ran on.</summary>
    /// <param name="Source">The benchmark file's name.</param>
    /// <param name="Sha256">SHA-256 of the file.</param>
    /// <param name="TrainItems">Items that calibrated.</param>
    /// <param name="ExcludedDuplicates">Training items dropped because their query is also a test query.</param>
    public sealed record DataInfo(
        [property: JsonPropertyName("source")] string Source,
        [property: JsonPropertyName("sha256")] string Sha256,
        [property: JsonPropertyName("train_items")] int TrainItems,
        [property: JsonPropertyName("excluded_duplicates")] int ExcludedDuplicates);

    /// <summary>How cluster accuracies were smoothed.</summary>
    /// <param name="PriorStrength">Pseudo-counts toward the model's global accuracy.</param>
    /// <param name="Interval">The confidence interval reported (wilson-95).</param>
    public sealed record ScoringInfo(
        [property: JsonPropertyName("prior_strength")] double PriorStrength,
        [property: JsonPropertyName("interval")] string Interval = "wilson-95");

    /// <summary>The routing and ensemble settings calibration used.</summary>
    /// <param name="Strategy">direct, vote or switch.</param>
    /// <param name="TopN">Models that vote.</param>
    /// <param name="TopK">Clusters blended per partition.</param>
    /// <param name="Beta">Sharpness of the blend.</param>
    /// <param name="SwitchThreshold">The switch strategy's threshold.</param>
    /// <param name="WeightedVote">Votes weighted by cluster accuracy.</param>
    /// <param name="Alpha">Cost-aware routing weight (null: accuracy only).</param>
    public sealed record RouterDefaults(
        [property: JsonPropertyName("strategy")] string Strategy,
        [property: JsonPropertyName("top_n")] int TopN,
        [property: JsonPropertyName("top_k")] int TopK,
        [property: JsonPropertyName("beta")] double Beta,
        [property: JsonPropertyName("switch_threshold")] double SwitchThreshold,
        [property: JsonPropertyName("weighted_vote")] bool WeightedVote = false,
        [property: JsonPropertyName("alpha")] double? Alpha = null);
}
