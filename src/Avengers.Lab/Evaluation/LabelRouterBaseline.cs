using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Voting;

namespace Avengers.Evaluation;

/// <summary>
/// A router told the dataset label (what cluster routing must do without it): per training dataset, the models
/// ranked by training accuracy, then the ensemble's own strategy over their samples.
/// </summary>
internal sealed class LabelRouterBaseline : Baseline
{
    private readonly Dictionary<string, int> _datasetIndex;
    private readonly ClusterScores _byDataset;
    private readonly IReadOnlyList<string> _pool;
    private readonly EnsemblePolicy _policy;
    private readonly VoteRule _options;

    public LabelRouterBaseline(IReadOnlyList<PreparedRecord> train, CorrectnessMatrix correctness, IReadOnlyList<string> pool, double priorStrength,
        EnsemblePolicy policy, bool adaptive) : base("label_router")
    {
        string[] names = train.Select(r => r.Record.Dataset).Distinct().Order(StringComparer.Ordinal).ToArray();
        _datasetIndex = names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        _byDataset = ClusterScores.Compute(correctness, train.Select(r => _datasetIndex[r.Record.Dataset]).ToArray(), names.Length, priorStrength);
        _pool = pool;
        _policy = policy;
        _options = policy.Plan(new RoutingDecision(0, 0, [], []), adaptive).Options;
        if (policy.FixedModel is not null) _options = _options with { Strategy = EnsembleStrategy.Direct };
    }

    public override double Score(PreparedRecord item, IReadOnlySet<string> available)
    {
        if (!_datasetIndex.TryGetValue(item.Record.Dataset, out int cluster)) return double.NaN; // a dataset the training side never saw
        var ranked = _byDataset.Ranking(cluster).ToArray().Where(j => available.Contains(_pool[j]))
            .Select(j => new SampleSet(_pool[j], item.Answers[_pool[j]], VoteWeights.LogOdds(_byDataset[cluster, j].Smoothed, _policy.VoteOptions))).ToList();
        VoteOutcome choice = EnsembleDecider.Decide(ranked, _options);
        return item.Grades[choice.Model][choice.SampleIndex] ?? 0;
    }
}
