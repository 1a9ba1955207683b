using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Voting;

namespace Avengers.Evaluation;

/// <summary>
/// A reference way of answering each test item, scored beside the ensemble in the experiment's table. A score of
/// NaN means the item does not count for this baseline (e.g. a model with no output for it).
/// </summary>
internal abstract class Baseline(string column)
{
    /// <summary>The score board's column.</summary>
    public string Column { get; } = column;

    /// <param name="available">The pool models with a gradable output for the item.</param>
    public abstract double Score(PreparedRecord item, IReadOnlySet<string> available);
}

/// <summary>One model alone, on the items it answered.</summary>
internal sealed class SingleModelBaseline(string model) : Baseline("model:" + model)
{
    public override double Score(PreparedRecord item, IReadOnlySet<string> available) => item.Correctness(model);
}

/// <summary>The model with the best training accuracy, on every item (no output counts as wrong).</summary>
internal sealed class BestSingleBaseline(string model, double trainAccuracy) : Baseline("best_single")
{
    public string Model { get; } = model;
    public double TrainAccuracy { get; } = trainAccuracy;

    public override double Score(PreparedRecord item, IReadOnlySet<string> available)
    {
        double value = item.Correctness(Model);
        return double.IsNaN(value) ? 0 : value;
    }

    public static BestSingleBaseline ChooseOn(IReadOnlyList<PreparedRecord> train, IReadOnlyList<string> pool)
    {
        string best = pool.OrderByDescending(m => MeanOf(train, m)).ThenBy(m => m, StringComparer.Ordinal).First();
        return new BestSingleBaseline(best, MeanOf(train, best));
    }

    private static double MeanOf(IReadOnlyList<PreparedRecord> records, string model)
    {
        double sum = 0; int count = 0;
        foreach (PreparedRecord record in records)
        {
            double value = record.Correctness(model);
            if (!double.IsNaN(value)) { sum += value; count++; }
        }
        return count == 0 ? 0 : sum / count;
    }
}

/// <summary>A uniformly random available model, averaged over several seeded draws.</summary>
internal sealed class RandomRouterBaseline(int seed, int draws) : Baseline("random")
{
    private readonly Random[] _randoms = Enumerable.Range(0, Math.Max(1, draws)).Select(s => new Random(unchecked(seed + 7919 * (s + 1)))).ToArray();

    public override double Score(PreparedRecord item, IReadOnlySet<string> available)
    {
        string[] candidates = available.Order(StringComparer.Ordinal).ToArray();
        double sum = 0;
        foreach (Random random in _randoms) sum += item.Correctness(candidates[random.Next(candidates.Length)]);
        return sum / _randoms.Length;
    }
}

/// <summary>The best available model for each item: what a perfect router would reach.</summary>
internal sealed class OracleBaseline() : Baseline("oracle")
{
    public override double Score(PreparedRecord item, IReadOnlySet<string> available) => available.Max(m => item.Correctness(m));
}

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
