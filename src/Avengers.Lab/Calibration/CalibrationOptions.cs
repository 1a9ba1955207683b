using Avengers.Clustering;
using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Voting;

namespace Avengers.Calibration;

/// <summary>Settings of offline calibration; every default is the method's.</summary>
public sealed record CalibrationOptions
{
    /// <summary>Clusters per partition (the paper's K = 64).</summary>
    public int K { get; init; } = KMeansOptions.DefaultK;
    /// <summary>Seed of every random choice of calibration (clusterings, folds).</summary>
    public int Seed { get; init; } = KMeansOptions.DefaultSeed;
    /// <summary>
    /// k-means restarts per partition (best inertia wins). With five partitions, three restarts each did no
    /// better on the validation splits than one (LLMRouter +0.66 against +0.63 points over a single clustering,
    /// MMLU-Pro +0.70 both), at three times the clustering work.
    /// </summary>
    public int Restarts { get; init; } = DefaultRestarts;
    /// <summary>k-means starts per partition unless set.</summary>
    public const int DefaultRestarts = 1;
    /// <summary>
    /// Independent clusterings (seeds Seed, Seed + 1, ...) whose cluster scores are averaged at routing time.
    /// One is the method as published; several smooth out the luck of a single k-means run. Five gained
    /// 0.7 points on the validation splits of both benchmarks (10 seeds each: LLMRouter 8 wins of 10,
    /// MMLU-Pro 9 of 10); ten gained about as much at twice the routing work.
    /// </summary>
    public int Partitions { get; init; } = DefaultPartitions;
    /// <summary>Independently seeded clusterings whose scores routing averages, unless set.</summary>
    public const int DefaultPartitions = 5;
    /// <summary>kmeans (default), ward or gmm; see <see cref="ClusteringMethod"/>.</summary>
    public string Method { get; init; } = ClusteringMethod.KMeans;
    /// <summary>Pseudo-counts that pull a cluster's accuracy toward the model's global accuracy.</summary>
    public double PriorStrength { get; init; } = ClusterScores.DefaultPriorStrength;
    /// <summary>
    /// Estimate the prior strength from the data instead (empirical Bayes, <see cref="ClusterScores.EstimatePriorStrength"/>):
    /// strong where clusters barely differ, as in a collection of one task, weak where they do.
    /// </summary>
    public bool EstimatePrior { get; init; }
    /// <summary>How many models automatic selection keeps (null: the whole pool, ordered by selection).</summary>
    public int? Select { get; init; }
    /// <summary>null (auto): chosen by cross-validation inside the training side (<see cref="PolicySearch"/>).</summary>
    public EnsembleStrategy? Strategy { get; init; }
    /// <summary>Models whose samples vote; null (auto): chosen by cross-validation.</summary>
    public int? TopN { get; init; }
    /// <summary>Clusters blended per partition; null (auto): 1 or 3, chosen by cross-validation.</summary>
    public int? TopK { get; init; }
    /// <summary>Folds of the cross-validated ensemble search.</summary>
    public int Folds { get; init; } = PolicySearch.DefaultFolds;
    /// <summary>Soft routing: sharpness of the similarity weights over the top-k clusters.</summary>
    public double Beta { get; init; } = RoutingOptions.DefaultBeta;
    /// <summary>Switch strategy: the top model's vote share below which the next model is asked.</summary>
    public double SwitchThreshold { get; init; } = EnsembleStrategies.DefaultSwitchThreshold;
    /// <summary>Weight votes by each model's accuracy in the query's cluster; null (auto): chosen by cross-validation.</summary>
    public bool? WeightedVote { get; init; }

    /// <summary>True when some ensemble setting is left to the cross-validated search.</summary>
    public bool SearchesPolicy => Strategy is null || TopN is null || TopK is null || WeightedVote is null;
    /// <summary>Cost-aware routing weight of accuracy against cost (null: accuracy only).</summary>
    public double? Alpha { get; init; }

    /// <summary>Throws when a setting is out of its range.</summary>
    /// <exception cref="ArgumentException">Every setting out of range, listed.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (K < 1) problems.Add($"k must be at least 1 (got {K})");
        if (!ClusteringMethod.All.Contains(Method)) problems.Add($"method must be one of {string.Join(", ", ClusteringMethod.All)} (got '{Method}')");
        if (Partitions is < 1 or > 64) problems.Add($"partitions must lie in [1, 64] (got {Partitions})");
        if (Restarts < 1) problems.Add($"restarts must be at least 1 (got {Restarts})");
        if (!(PriorStrength >= 0) || double.IsInfinity(PriorStrength)) problems.Add($"prior strength must be finite and >= 0 (got {PriorStrength})");
        if (Select is < 1) problems.Add($"select must be at least 1 (got {Select})");
        if (Folds is < 2 or > 20) problems.Add($"folds must lie in [2, 20] (got {Folds})");
        if (!double.IsFinite(Beta) || Beta < 0) problems.Add($"beta must be finite and >= 0 (got {Beta})");
        // The ensemble's settings follow the one rule set of the gateway's YAML and requests.
        problems.AddRange(new Ensemble.SettingsOverrides { TopN = TopN, TopK = TopK, SwitchThreshold = SwitchThreshold, Alpha = Alpha }.Problems());
        if (problems.Count > 0) throw new ArgumentException("invalid calibration options: " + string.Join("; ", problems));
    }
}
