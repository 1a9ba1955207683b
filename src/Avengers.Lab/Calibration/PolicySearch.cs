using System.Globalization;
using Avengers.Clustering;
using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Voting;
using Avengers.Answers;

namespace Avengers.Calibration;

/// <summary>
/// Chooses the ensemble configuration by k-fold cross-validation inside the training side: for each fold,
/// the cluster scores are recounted without the fold's items (the clustering itself never sees a grade),
/// the fold's items are routed with the very <see cref="ClusterRouter"/> used at inference, and every
/// candidate (strategy, top-n, weighted votes, top-k, samples per model; the best single model as the guard)
/// decides among their recorded samples with the very <see cref="EnsembleDecider"/> used live. The best
/// cross-validated accuracy wins; near-ties (within <see cref="TieTolerance"/>) go to fewer calls. The winner
/// must also beat the best single model when the search itself is cross-validated (the best of many candidates
/// reads high, most on small data); else the best single model answers (the guard). Then, per cluster, trusting
/// the leader alone (or, under the guard, voting) is weighed against the rule, shrunk toward the global difference
/// (<see cref="ShrinkItems"/> pseudo-items), and kept only if it also wins in nested cross-validation.
/// </summary>
public static class PolicySearch
{
    /// <summary>Folds of the cross-validation unless set.</summary>
    public const int DefaultFolds = 5;
    /// <summary>Accuracy differences below this count as ties (then fewer calls win).</summary>
    public const double TieTolerance = 0.001;
    /// <summary>A cluster's leader-vs-vote difference is shrunk toward the global one as if it had this many more items.</summary>
    public const double ShrinkItems = 20;
    /// <summary>Soft-routing breadths tried when top-k is not given.</summary>
    public static readonly IReadOnlyList<int> TopKCandidates = [1, 3];

    internal sealed record Candidate(string Name, EnsemblePolicy Policy, bool IsSingle = false);

    /// <param name="labels">Cluster of every training item in each partition (partition-local indices).</param>
    /// <param name="artifact">The router calibrated on all training items (its centroids and manifest are reused per fold).</param>
    public static EnsemblePolicy Run(VectorSet trainEmbeddings, CorrectnessMatrix correctness, CalibrationSamples samples, IReadOnlyList<int[]> labels,
        RouterArtifact artifact, CalibrationOptions options, int folds = DefaultFolds)
    {
        ArgumentNullException.ThrowIfNull(samples);
        int n = correctness.Items, m = correctness.Models.Count, k = artifact.Manifest.Clustering.K;
        var pool = correctness.Models;
        int[] usable = Enumerable.Range(0, n).Where(i => Enumerable.Range(0, m).Any(j => !double.IsNaN(correctness[i, j]))).ToArray();
        int foldCount = Math.Min(folds, usable.Length);
        if (foldCount < 2) return Fallback(options, pool.Count, "too few gradable training items for cross-validation");

        // Seeded, deterministic fold assignment.
        int[] fold = new int[n];
        Array.Fill(fold, -1);
        int[] order = (int[])usable.Clone();
        new Random(unchecked(options.Seed * 31 + 7)).Shuffle(order);
        for (int p = 0; p < order.Length; p++) fold[order[p]] = p % foldCount;

        int maxSamples = 1;
        for (int i = 0; i < n; i++)
            foreach (var a in samples.Answers[i]) if (a is not null) maxSamples = Math.Max(maxSamples, a.Length);
        bool anyAnswer = usable.Any(i => samples.Answers[i].Any(a => a is not null && a.Any(x => x is not null)));

        int[] topKs = options.TopK is int fixedTopK ? [fixedTopK] : [.. TopKCandidates];
        int voteOptions = usable.GroupBy(i => samples.AnswerOptions[i]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        List<Candidate> candidates = Candidates(options, pool.Count, maxSamples, topKs, anyAnswer)
            .Select(c => c with { Policy = c.Policy with { VoteOptions = voteOptions } }).ToList();

        // Route every held-out item with the router of the other folds.
        var rankings = new RoutingDecision?[topKs.Length][];
        for (int t = 0; t < topKs.Length; t++) rankings[t] = new RoutingDecision?[n];
        var bestSingleOf = new int[foldCount];
        var models = pool.ToArray();
        for (int f = 0; f < foldCount; f++)
        {
            var router = new ClusterRouter(new RouterArtifact(artifact.Manifest, artifact.Centroids, Recount(correctness, labels, k, fold, f, artifact.Scores.PriorStrength)));
            bestSingleOf[f] = BestSingle(correctness, fold, f);
            int currentFold = f;
            Parallel.For(0, n, i =>
            {
                if (fold[i] != currentFold) return;
                var available = new HashSet<string>(StringComparer.Ordinal);
                for (int j = 0; j < m; j++) if (!double.IsNaN(correctness[i, j])) available.Add(models[j]);
                for (int t = 0; t < topKs.Length; t++)
                    rankings[t][i] = router.Route(trainEmbeddings[i], new RoutingOptions { TopK = topKs[t], Beta = options.Beta, Available = available });
            });
        }

        var index = pool.Select((name, j) => (name, j)).ToDictionary(p => p.name, p => p.j, StringComparer.Ordinal);
        double Grade(int i, string model, int sample) => samples.Grades[i][index[model]] is { } g && sample < g.Length ? g[sample] ?? 0 : 0;

        // Every candidate on every held-out item.
        var grades = new double[candidates.Count][];
        var calls = new double[candidates.Count][];
        for (int c = 0; c < candidates.Count; c++) { grades[c] = new double[n]; calls[c] = new double[n]; }
        Parallel.For(0, usable.Length, u =>
        {
            int i = usable[u];
            for (int c = 0; c < candidates.Count; c++)
            {
                Candidate candidate = candidates[c];
                if (candidate.IsSingle)
                {
                    double value = correctness[i, bestSingleOf[fold[i]]];
                    grades[c][i] = double.IsNaN(value) ? 0 : value;
                    calls[c][i] = 1;
                    continue;
                }
                RoutingDecision decision = rankings[Array.IndexOf(topKs, candidate.Policy.TopK)][i]!;
                (string model, int sample, int used) = Decide(candidate.Policy, decision, samples, index, i);
                grades[c][i] = Grade(i, model, sample);
                calls[c][i] = used;
            }
        });

        var scored = candidates.Select((c, ci) => (Candidate: c, Accuracy: Mean(grades[ci], usable), Calls: Mean(calls[ci], usable), Index: ci)).ToList();
        var ranked = Ranked(scored);
        var winner = ranked[0];
        var single = scored.FirstOrDefault(s => s.Candidate.IsSingle);
        string bestSingleName = pool[BestSingle(correctness, fold, -1)];
        double singleAccuracy = single.Candidate is null ? double.NaN : single.Accuracy;

        // The winner's accuracy is the best of many candidates measured on the same items, so it is biased upward,
        // most on small data where a lucky candidate stands out. The search itself is judged without that bias:
        // on each fold, the candidate that ranks first on the other folds, graded on that fold.
        double searched = SearchedAccuracy(candidates, grades, calls, usable, fold, foldCount);
        bool guarded = winner.Candidate.IsSingle || (single.Candidate is not null && searched <= singleAccuracy + TieTolerance);

        EnsemblePolicy policy;
        string reason;
        double accuracy = winner.Accuracy;
        double callsPerQuery = winner.Calls;
        if (guarded)
        {
            policy = new EnsemblePolicy { Strategy = "direct", TopN = 1, TopK = topKs[0], FixedModel = bestSingleName, VoteOptions = voteOptions };
            reason = winner.Candidate.IsSingle
                ? $"no routed configuration beat the best single model ({bestSingleName}, {Percent(singleAccuracy)}) in cross-validation"
                : $"the search's best ({winner.Candidate.Name}, {Percent(winner.Accuracy)}) did not beat the best single model ({bestSingleName}, {Percent(singleAccuracy)}) once its selection was cross-validated too ({Percent(searched)})";
            accuracy = singleAccuracy;
            callsPerQuery = 1;
            // Still, a vote may win in some clusters: vote there if that holds up in nested cross-validation. Every
            // voting candidate is tried as the exception and the best nested accuracy (ties: fewer calls) is kept; as
            // that is again the best of many, the choice is kept only if choosing that way also wins when cross-validated.
            int[] voters = scored.Where(s => !s.Candidate.IsSingle && s.Candidate.Policy.StrategyKind != EnsembleStrategy.Direct)
                .OrderBy(s => s.Calls).ThenBy(s => s.Index).Select(s => s.Index).ToArray();
            double[] rule = grades[single.Index];
            if (BestException(rule, voters, grades, labels, k, usable, fold, foldCount) is { } exception
                && exception.Nested > singleAccuracy + TieTolerance
                && ExceptionSearchAccuracy(rule, voters, grades, labels, k, usable, fold, foldCount) > singleAccuracy + TieTolerance)
            {
                Candidate vote = candidates[exception.Index];
                policy = vote.Policy with { FixedModel = bestSingleName, ClusterGain = exception.Gains };
                reason += $"; voting ({vote.Name}) where it won raised cross-validated accuracy to {Percent(exception.Nested)}";
                accuracy = exception.Nested;
            }
        }
        else
        {
            policy = winner.Candidate.Policy;
            reason = single.Candidate is null ? "the best cross-validated configuration"
                : $"beat the best single model ({bestSingleName}, {Percent(singleAccuracy)}) by {(winner.Accuracy - singleAccuracy) * 100:F1} points in cross-validation";
            if (policy.StrategyKind != EnsembleStrategy.Direct)
            {
                var direct = scored.FirstOrDefault(s => !s.Candidate.IsSingle && s.Candidate.Policy.StrategyKind == EnsembleStrategy.Direct && s.Candidate.Policy.TopK == policy.TopK);
                double[] leaderGrades = direct.Candidate is not null ? grades[direct.Index] : DirectGrades(rankings[Array.IndexOf(topKs, policy.TopK)], usable, n, samples, index, Grade);
                (double[]? gains, double nested) = ClusterGains(grades[winner.Index], leaderGrades, labels, k, usable, fold, foldCount);
                if (gains is not null && nested > winner.Accuracy + TieTolerance && gains.Any(g => g > 0))
                {
                    policy = policy with { ClusterGain = gains };
                    reason += $"; trusting the top model alone where it won raised cross-validated accuracy to {Percent(nested)}";
                    accuracy = nested;
                }
            }
        }

        var runnersUp = ranked.Skip(1).Take(5).Select(s => new PolicyScore(s.Candidate.Name, Round(s.Accuracy), Round(s.Calls))).ToList();
        return policy with
        {
            ChosenBy = "cross-validation",
            Evidence = new PolicyEvidence(foldCount, usable.Length, Round(accuracy), Round(callsPerQuery), bestSingleName, Round(singleAccuracy), candidates.Count, runnersUp, reason)
            {
                SearchAccuracy = Round(searched),
            },
        };
    }

    /// <summary>Best accuracy first; within the tie tolerance fewer calls, then the single model (simplest), then the listed order.</summary>
    private static List<(Candidate Candidate, double Accuracy, double Calls, int Index)> Ranked(IReadOnlyList<(Candidate Candidate, double Accuracy, double Calls, int Index)> scored)
    {
        double top = scored.Max(s => s.Accuracy);
        return scored.OrderByDescending(s => s.Accuracy >= top - TieTolerance)
            .ThenBy(s => s.Accuracy >= top - TieTolerance ? s.Calls : 0)
            .ThenByDescending(s => s.Accuracy >= top - TieTolerance && s.Candidate.IsSingle)
            .ThenByDescending(s => s.Accuracy)
            .ThenBy(s => s.Index).ToList();
    }

    /// <summary>
    /// The accuracy of the search as a procedure: on each fold, the candidate <see cref="Ranked"/> puts first on the
    /// other folds' items, graded on the fold's own.
    /// </summary>
    internal static double SearchedAccuracy(IReadOnlyList<Candidate> candidates, double[][] grades, double[][] calls, int[] usable, int[] fold, int foldCount)
    {
        double correct = 0;
        for (int f = 0; f < foldCount; f++)
        {
            int[] inside = usable.Where(i => fold[i] != f).ToArray();
            int pick = Ranked(candidates.Select((c, ci) => (Candidate: c, Accuracy: Mean(grades[ci], inside), Calls: Mean(calls[ci], inside), Index: ci)).ToList())[0].Index;
            foreach (int i in usable) if (fold[i] == f) correct += grades[pick][i];
        }
        return correct / usable.Length;
    }

    /// <summary>The policy when nothing is searched: the given settings, else the method's defaults.</summary>
    public static EnsemblePolicy Fallback(CalibrationOptions options, int poolSize, string? why = null)
    {
        bool explicitAll = options.Strategy is not null && options.TopN is not null && options.TopK is not null && options.WeightedVote is not null;
        return new EnsemblePolicy
        {
            Strategy = (options.Strategy ?? EnsembleStrategy.Vote).ToWireName(),
            TopN = options.TopN ?? Math.Min(EnsembleStrategies.DefaultTopN, Math.Max(1, poolSize)),
            TopK = options.TopK ?? RoutingOptions.DefaultTopK,
            WeightedVote = options.WeightedVote ?? false,
            SwitchThreshold = options.SwitchThreshold,
            ChosenBy = explicitAll ? "explicit" : "default",
            Evidence = why is null ? null : new PolicyEvidence(0, 0, double.NaN, double.NaN, "", double.NaN, 0, [], why),
        };
    }

    private static List<Candidate> Candidates(CalibrationOptions options, int poolSize, int maxSamples, IReadOnlyList<int> topKs, bool anyAnswer)
    {
        var strategies = options.Strategy is EnsembleStrategy s ? [s]
            : !anyAnswer ? [EnsembleStrategy.Direct] // score-only data: nothing to vote on
            : maxSamples > 1 ? new[] { EnsembleStrategy.Direct, EnsembleStrategy.Vote, EnsembleStrategy.Switch }
            : new[] { EnsembleStrategy.Direct, EnsembleStrategy.Vote }; // one sample each: switch never switches
        var list = new List<Candidate>();
        foreach (int topK in topKs)
            foreach (EnsembleStrategy strategy in strategies)
            {
                if (strategy == EnsembleStrategy.Direct)
                {
                    Add(new EnsemblePolicy { Strategy = "direct", TopN = 1, TopK = topK });
                    continue;
                }
                IEnumerable<int> topNs = options.TopN is int fixedN ? [fixedN] : strategy == EnsembleStrategy.Switch ? [2] : Enumerable.Range(1, poolSize);
                foreach (int topN in topNs)
                    foreach (bool weighted in options.WeightedVote is bool w ? new[] { w } : topN == 1 && strategy == EnsembleStrategy.Vote ? new[] { false } : new[] { false, true })
                    {
                        Add(new EnsemblePolicy { Strategy = strategy.ToWireName(), TopN = topN, TopK = topK, WeightedVote = weighted, SwitchThreshold = options.SwitchThreshold });
                        // Several samples per model: the same budget spread over the models (self-consistency of the top model vs many models).
                        if (strategy == EnsembleStrategy.Vote && maxSamples > 1 && topN > 1 && (maxSamples + topN - 1) / topN < maxSamples)
                            Add(new EnsemblePolicy { Strategy = "vote", TopN = topN, TopK = topK, WeightedVote = weighted, SamplesPerModel = (maxSamples + topN - 1) / topN });
                    }
            }
        if (options.Strategy is null && options.TopN is null) list.Add(new Candidate("best single model", new EnsemblePolicy { Strategy = "direct", TopN = 1 }, IsSingle: true));
        return list;

        void Add(EnsemblePolicy policy) => list.Add(new Candidate(policy.Describe(), policy));
    }

    private static (string Model, int Sample, int Used) Decide(EnsemblePolicy policy, RoutingDecision decision, CalibrationSamples samples, Dictionary<string, int> index, int item)
    {
        QueryPlan plan = policy.Plan(decision);
        VoteOutcome choice = EnsembleDecider.Decide(policy.Ballots(plan, model => samples.Answers[item][index[model]] ?? []), plan.Options);
        return (choice.Model, choice.SampleIndex, Math.Max(1, choice.SamplesUsed));
    }

    private static double[] DirectGrades(RoutingDecision?[] decisions, int[] usable, int n, CalibrationSamples samples, Dictionary<string, int> index, Func<int, string, int, double> grade)
    {
        var direct = new double[n];
        var policy = new EnsemblePolicy { Strategy = "direct", TopN = 1 };
        foreach (int i in usable)
        {
            (string model, int sample, _) = Decide(policy, decisions[i]!, samples, index, i);
            direct[i] = grade(i, model, sample);
        }
        return direct;
    }

    /// <summary>
    /// Per cluster, (sum of exception - rule over its items + s * global mean difference) / (items + s); and the
    /// nested cross-validated accuracy of taking the exception where that is above zero (gains from the other
    /// folds applied to each fold).
    /// </summary>
    private static (double[]? Gains, double Nested) ClusterGains(double[] vote, double[] leader, IReadOnlyList<int[]> labels, int k, int[] usable, int[] fold, int foldCount)
    {
        int clusters = k * labels.Count;
        double[] Gains(int heldOut)
        {
            var sum = new double[clusters];
            var count = new int[clusters];
            double total = 0; int items = 0;
            foreach (int i in usable)
            {
                if (fold[i] == heldOut) continue;
                double d = leader[i] - vote[i];
                total += d; items++;
                for (int p = 0; p < labels.Count; p++) { sum[p * k + labels[p][i]] += d; count[p * k + labels[p][i]]++; }
            }
            double global = items == 0 ? 0 : total / items;
            var gains = new double[clusters];
            for (int c = 0; c < clusters; c++) gains[c] = (sum[c] + ShrinkItems * global) / (count[c] + ShrinkItems);
            return gains;
        }

        double nested = 0;
        for (int f = 0; f < foldCount; f++)
        {
            double[] gains = Gains(f);
            foreach (int i in usable)
            {
                if (fold[i] != f) continue;
                double g = 0;
                for (int p = 0; p < labels.Count; p++) g += gains[p * k + labels[p][i]] / labels.Count;
                nested += g > 0 ? leader[i] : vote[i];
            }
        }
        return (Gains(-1), nested / usable.Length);
    }

    /// <summary>
    /// Among <paramref name="voters"/>, the exception to <paramref name="rule"/> with the best nested accuracy over
    /// <paramref name="usable"/> (the first in the given order on ties) that wins in at least one cluster; null when none does.
    /// </summary>
    private static (double[] Gains, double Nested, int Index)? BestException(double[] rule, int[] voters, double[][] grades, IReadOnlyList<int[]> labels, int k,
        int[] usable, int[] fold, int foldCount)
    {
        (double[] Gains, double Nested, int Index)? best = null;
        foreach (int c in voters)
        {
            (double[]? gains, double nested) = ClusterGains(rule, grades[c], labels, k, usable, fold, foldCount);
            if (gains is null || !gains.Any(g => g > 0)) continue;
            if (best is null || nested > best.Value.Nested + 1e-12) best = (gains, nested, c);
        }
        return best;
    }

    /// <summary>
    /// The accuracy of <see cref="BestException"/> as a procedure: on each fold, the exception chosen on the other
    /// folds (kept only if it beat the rule there), its cluster gains applied to the fold's items.
    /// </summary>
    private static double ExceptionSearchAccuracy(double[] rule, int[] voters, double[][] grades, IReadOnlyList<int[]> labels, int k,
        int[] usable, int[] fold, int foldCount)
    {
        double correct = 0;
        for (int f = 0; f < foldCount; f++)
        {
            int[] inside = usable.Where(i => fold[i] != f).ToArray();
            var chosen = BestException(rule, voters, grades, labels, k, inside, fold, foldCount);
            bool keep = chosen is { } c && c.Nested > Mean(rule, inside) + TieTolerance;
            foreach (int i in usable)
            {
                if (fold[i] != f) continue;
                double g = 0;
                if (keep) for (int p = 0; p < labels.Count; p++) g += chosen!.Value.Gains[p * k + labels[p][i]] / labels.Count;
                correct += g > 0 ? grades[chosen!.Value.Index][i] : rule[i];
            }
        }
        return correct / usable.Length;
    }

    /// <summary>Cluster scores of every partition, counted over the items outside <paramref name="heldOut"/>.</summary>
    private static ClusterScores Recount(CorrectnessMatrix correctness, IReadOnlyList<int[]> labels, int k, int[] fold, int heldOut, double prior)
    {
        int m = correctness.Models.Count, clusters = k * labels.Count;
        var sizes = new int[clusters];
        var answered = new int[clusters * m];
        var correct = new double[clusters * m];
        for (int i = 0; i < correctness.Items; i++)
        {
            if (fold[i] == heldOut) continue;
            for (int p = 0; p < labels.Count; p++)
            {
                int c = p * k + labels[p][i];
                sizes[c]++;
                for (int j = 0; j < m; j++)
                {
                    double value = correctness[i, j];
                    if (double.IsNaN(value)) continue;
                    answered[c * m + j]++;
                    correct[c * m + j] += value;
                }
            }
        }
        return new ClusterScores(correctness.Models, clusters, sizes, answered, correct, prior);
    }

    /// <summary>The model with the best mean correctness outside <paramref name="heldOut"/> (ties: ordinal name).</summary>
    private static int BestSingle(CorrectnessMatrix correctness, int[] fold, int heldOut)
    {
        int best = 0; double bestMean = double.NegativeInfinity;
        var order = Enumerable.Range(0, correctness.Models.Count).OrderBy(j => correctness.Models[j], StringComparer.Ordinal);
        foreach (int j in order)
        {
            double sum = 0; int count = 0;
            for (int i = 0; i < correctness.Items; i++)
            {
                if (fold[i] == heldOut || fold[i] < 0) continue;
                double value = correctness[i, j];
                if (!double.IsNaN(value)) { sum += value; count++; }
            }
            double mean = count == 0 ? 0 : sum / count;
            if (mean > bestMean) { bestMean = mean; best = j; }
        }
        return best;
    }

    private static double Mean(double[] values, int[] usable)
    {
        double sum = 0;
        foreach (int i in usable) sum += values[i];
        return sum / usable.Length;
    }

    private static double Round(double value) => double.IsNaN(value) ? value : Math.Round(value, 4);

    private static string Percent(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
}
