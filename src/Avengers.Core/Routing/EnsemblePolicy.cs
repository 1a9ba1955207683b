using System.Globalization;
using System.Text.Json.Serialization;
using Avengers.Voting;

namespace Avengers.Routing;

/// <summary>
/// How the routed models' samples become one answer: the one decision both the offline experiment and the
/// live ensemble chat client apply. Chosen by cross-validation inside the training side at
/// calibration (the lab's policy search) and stored in the router artifact.
/// </summary>
public sealed record EnsemblePolicy
{
    /// <summary>The strategy's wire name: direct, vote or switch.</summary>
    [JsonPropertyName("strategy")] public string Strategy { get; init; } = "vote";
    /// <summary>Models whose samples vote.</summary>
    [JsonPropertyName("top_n")] public int TopN { get; init; } = EnsembleStrategies.DefaultTopN;
    /// <summary>Clusters blended per query and partition (1: the nearest).</summary>
    [JsonPropertyName("top_k")] public int TopK { get; init; } = RoutingOptions.DefaultTopK;
    /// <summary>Each model's votes weigh the log-odds of its routing score.</summary>
    [JsonPropertyName("weighted_vote")] public bool WeightedVote { get; init; }
    /// <summary>Samples of each model that vote (null: all drawn or recorded).</summary>
    [JsonPropertyName("samples_per_model")] public int? SamplesPerModel { get; init; }
    /// <summary>Switch strategy: the top model's vote share below which the next model is asked.</summary>
    [JsonPropertyName("switch_threshold")] public double SwitchThreshold { get; init; } = EnsembleStrategies.DefaultSwitchThreshold;
    /// <summary>
    /// Answer options assumed by accuracy-weighted votes (the most common count among the training items; 4 when
    /// unknown). One number for every query, so that live requests, whose options are unknown, weigh as calibration did.
    /// </summary>
    [JsonPropertyName("vote_options")] public int VoteOptions { get; init; } = 4;
    /// <summary>
    /// The guard: every query goes to this model (the router did not beat it in cross-validation), except in
    /// the clusters where <see cref="ClusterGain"/> says the routed ensemble (strategy, top-n, ...) won.
    /// </summary>
    [JsonPropertyName("fixed_model")] public string? FixedModel { get; init; }
    /// <summary>
    /// Per cluster (all partitions, partition after partition): how much the exception gained over the rule in
    /// cross-validation, shrunk toward the global difference. Without a fixed model the rule is the vote and the
    /// exception the cluster's top model alone; with one, the rule is the fixed model and the exception the
    /// routed ensemble. A query whose matched clusters sum (by weight) above zero takes the exception. Null: never.
    /// </summary>
    [JsonPropertyName("cluster_gain")] public IReadOnlyList<double>? ClusterGain { get; init; }
    /// <summary>"cross-validation", "explicit" (every setting given) or "default".</summary>
    [JsonPropertyName("chosen_by")] public string ChosenBy { get; init; } = "default";
    /// <summary>How the choice was made: the folds, the cross-validated accuracy, the best single model's and the runners-up.</summary>
    [JsonPropertyName("evidence")] public PolicyEvidence? Evidence { get; init; }

    /// <summary><see cref="Strategy"/> as the enum.</summary>
    [JsonIgnore]
    public EnsembleStrategy StrategyKind => EnsembleStrategies.TryParse(Strategy, out EnsembleStrategy s) ? s : EnsembleStrategy.Vote;

    /// <summary>Clusters that take the exception, for display.</summary>
    [JsonIgnore] public int ExceptionClusters => ClusterGain?.Count(g => g > 0) ?? 0;

    /// <summary>One line a person can read: "vote over the top 3 models (weighted), top-k 1; ...".</summary>
    public string Describe()
    {
        if (FixedModel is not null && ClusterGain is null) return $"every query to {FixedModel} (the router did not beat it in cross-validation)";
        string core = StrategyKind switch
        {
            EnsembleStrategy.Direct => "direct (the top model's answer)",
            EnsembleStrategy.Switch => $"model-switch (threshold {SwitchThreshold.ToString(CultureInfo.InvariantCulture)})",
            _ => TopN == 1 ? "self-consistency of the top model" : $"vote over the top {TopN} models",
        };
        if (WeightedVote && StrategyKind != EnsembleStrategy.Direct) core += ", weighted";
        if (SamplesPerModel is int s) core += $", {s} sample{(s == 1 ? "" : "s")} each";
        core += $"; top-k {TopK}";
        if (FixedModel is not null) return $"every query to {FixedModel}, except {core} in {ExceptionClusters} of {ClusterGain!.Count} clusters";
        if (ClusterGain is not null) core += $"; the top model alone in {ExceptionClusters} of {ClusterGain.Count} clusters";
        return core;
    }

    /// <summary>Which models to consult, and how, for one routed query.</summary>
    /// <param name="adaptive">Stop each vote once its leader cannot be overtaken.</param>
    public QueryPlan Plan(RoutingDecision decision, bool adaptive = false)
    {
        ArgumentNullException.ThrowIfNull(decision);
        IReadOnlyList<RankedModel> ranked = decision.Models;
        var options = new VoteRule
        {
            Strategy = StrategyKind,
            TopN = TopN,
            SamplesPerModel = SamplesPerModel,
            SwitchThreshold = SwitchThreshold,
            WeightByAccuracy = WeightedVote,
            Adaptive = adaptive,
        };
        double gain = 0;
        if (ClusterGain is not null)
            foreach (ClusterMatch match in decision.Clusters)
                if ((uint)match.Cluster < (uint)ClusterGain.Count) gain += match.Weight * ClusterGain[match.Cluster];
        if (FixedModel is not null && gain > 0)
            return new QueryPlan(ranked, options, $"in this query's clusters the routed ensemble beat {FixedModel}");
        if (FixedModel is not null)
        {
            int at = IndexOf(ranked, FixedModel);
            if (at >= 0)
            {
                var reordered = new List<RankedModel>(ranked.Count) { ranked[at] };
                for (int i = 0; i < ranked.Count; i++) if (i != at) reordered.Add(ranked[i]);
                return new QueryPlan(reordered, options with { Strategy = EnsembleStrategy.Direct }, $"policy: every query to {FixedModel}");
            }
            return new QueryPlan(ranked, options with { Strategy = EnsembleStrategy.Direct }, $"policy model {FixedModel} is unavailable: the routed top model answers");
        }
        if (ClusterGain is not null && gain > 0 && options.Strategy != EnsembleStrategy.Direct)
            return new QueryPlan(ranked, options with { Strategy = EnsembleStrategy.Direct }, "in this query's clusters the top model alone beat the vote");
        return new QueryPlan(ranked, options, null);
    }

    /// <summary>The ranked models' samples as ballots: answers from <paramref name="answersOf"/>, weights from routing scores.</summary>
    public List<SampleSet> Ballots(QueryPlan plan, Func<string, IReadOnlyList<string?>> answersOf)
    {
        var sets = new List<SampleSet>(plan.Models.Count);
        foreach (RankedModel model in plan.Models) sets.Add(new SampleSet(model.Model, answersOf(model.Model), VoteWeights.LogOdds(model.Score, VoteOptions)));
        return sets;
    }

    /// <summary>The routing options this policy expects (its top-k), on top of <paramref name="routing"/>.</summary>
    public RoutingOptions Routing(RoutingOptions routing) => routing with { TopK = TopK };

    private static int IndexOf(IReadOnlyList<RankedModel> ranked, string model)
    {
        for (int i = 0; i < ranked.Count; i++) if (string.Equals(ranked[i].Model, model, StringComparison.Ordinal)) return i;
        return -1;
    }
}
