using Avengers.Calibration;
using Avengers.Clustering;
using Avengers.Data;
using Avengers.Embedding;
using Avengers.Ensemble;
using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Voting;
using Microsoft.Extensions.AI;

namespace Avengers.Evaluation;

/// <summary>Progress of a long stage ("embed", ...); <paramref name="Note"/> is a line to show once (e.g. how long the stage will take).</summary>
public readonly record struct StageProgress(string Stage, int Done, int Total, string? Note = null);

/// <summary>
/// Calibrates on the training side, routes and votes on the test side using recorded outputs, and
/// compares with every single model, the best single model (chosen on train), a random router and
/// the oracle. Routing sees only query embeddings: never dataset or task labels.
/// </summary>
public static class Experiment
{
    public static async Task<(ExperimentResult Result, CalibrationResult Calibration)> RunAsync(
        Benchmark benchmark, IEmbeddingGenerator<string, Embedding<float>> embedder, string embeddingId,
        ExperimentOptions options, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(options);
        options.Calibration.Validate();
        CalibrationOptions calibration = options.Calibration;

        IReadOnlyList<string> pool = ResolvePool(benchmark, options);
        var everyone = pool.Concat(options.References).Distinct(StringComparer.Ordinal).ToList();
        var notes = new List<string>();

        DatasetSplit split = DatasetSplit.Create(benchmark.Records, calibration.Seed, options.TrainFraction);
        if (options.ValidationOnly)
        {
            // Model selection on the training side only: a seeded split of it stands in for the test set.
            split = DatasetSplit.Create(split.Train.Select(r => r with { Split = null }).ToList(), calibration.Seed, options.TrainFraction);
            notes.Add("validation run: train and test are a seeded split of the training side; the test side is untouched");
        }
        if (options.HoldOutDataset is string heldOut)
        {
            if (!split.Test.Any(r => r.Dataset == heldOut))
                throw new ArgumentException($"no test item belongs to dataset '{heldOut}'; test datasets: {string.Join(", ", split.Test.Select(r => r.Dataset).Distinct().Order(StringComparer.Ordinal))}");
            split = split with { Train = split.Train.Where(r => r.Dataset != heldOut).ToList(), Test = split.Test.Where(r => r.Dataset == heldOut).ToList() };
            notes.Add($"out of distribution: calibrated without any item of {heldOut}, evaluated on its test items only");
        }
        if (split.Train.Count == 0 || split.Test.Count == 0) throw new ArgumentException($"the split left {split.Train.Count} training and {split.Test.Count} test items; both need at least one");
        if (split.RemovedDuplicates > 0) notes.Add($"removed {split.RemovedDuplicates} training items whose query also appears in the test set");

        PreparedRecord[] train = PreparedRecord.PrepareAll(split.Train, everyone);
        PreparedRecord[] allTest = PreparedRecord.PrepareAll(split.Test, everyone, options.Grading);
        if (options.Grading != GradingProtocol.Strict)
            notes.Add($"test responses graded with the {options.Grading.ToWireName()} protocol (an unreadable answer counts as a random guess); calibration uses strict grades");
        PreparedRecord[] test = allTest.Where(r => pool.Any(m => !double.IsNaN(r.Correctness(m)))).ToArray();
        int ungradable = allTest.Length - test.Length;
        if (ungradable > 0) notes.Add($"{ungradable} test items have no gradable output of any pool model and are not counted");
        if (test.Length == 0) throw new ArgumentException("no test item can be graded (no recorded score and no comparable gold answer)");

        // Embed train and test queries in one pass (the cache makes repeated runs cheap).
        string[] texts = [.. train.Select(r => TextOf(r.Record, options)), .. test.Select(r => TextOf(r.Record, options))];
        var embedProgress = progress is null ? null : new Progress<int>(done => progress.Report(new StageProgress("embed", done, texts.Length)));
        if (progress is not null && EmbeddingRunner.FirstRunNote(embedder, texts) is string note) progress.Report(new StageProgress("embed", 0, texts.Length, note));
        VectorSet all = await EmbeddingRunner.EmbedAllAsync(embedder, texts, embedProgress, cancellationToken).ConfigureAwait(false);
        int d = all.Dimension;
        var trainVectors = new VectorSet(all.Data[..(train.Length * d)], d);

        TrainingSide side = TrainingSide.Prepare(train, pool, options.Prices, calibration.Alpha);
        CorrectnessMatrix correctness = side.Correctness;
        CostModel? costModel = options.Prices is null ? null : new CostModel(options.Prices);
        CalibrationResult calibrated = side.Calibrate(trainVectors, calibration,
            new RouterManifest.EmbeddingInfo(embeddingId, d, Input: options.EmbedChoices ? "question+choices" : "question"),
            new RouterManifest.DataInfo(Path.GetFileName(benchmark.Source), benchmark.DataHash, train.Length, split.RemovedDuplicates));
        notes.AddRange(calibrated.Notes);
        var router = new ClusterRouter(calibrated.Artifact);
        EnsemblePolicy policy = calibrated.Policy;

        // Reference router that is told the dataset label (what cluster routing must do without it):
        // per dataset, models ranked by training accuracy, then the same strategy.
        string[] datasetNames = train.Select(r => r.Record.Dataset).Distinct().Order(StringComparer.Ordinal).ToArray();
        var datasetIndex = datasetNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        ClusterScores byDataset = ClusterScores.Compute(correctness, train.Select(r => datasetIndex[r.Record.Dataset]).ToArray(), datasetNames.Length, calibration.PriorStrength);

        // Best single model: highest accuracy on the training side.
        string bestSingle = pool.OrderByDescending(m => MeanOf(train, m)).ThenBy(m => m, StringComparer.Ordinal).First();
        double bestSingleTrain = MeanOf(train, bestSingle);

        var board = new ScoreBoard();
        bool anythingToVoteOn = test.Any(r => pool.Any(m => r.Answers.TryGetValue(m, out string?[]? answers) && answers.Any(a => a is not null)));
        if (!anythingToVoteOn && policy.StrategyKind != EnsembleStrategy.Direct && policy.FixedModel is null)
        {
            // Score-only data (no response texts or answers): a vote could only fall back to the top model, so
            // count exactly that one sample rather than paying for samples that cannot vote.
            notes.Add($"no test response has an answer to vote on (scores only): strategy {policy.Strategy} runs as direct, the top model's recorded score");
            policy = policy with { Strategy = EnsembleStrategy.Direct.ToWireName(), ClusterGain = null };
        }
        EnsembleOptions labelOptions = policy.Plan(new RoutingDecision(0, 0, [], []), options.Adaptive).Options;
        if (policy.FixedModel is not null) labelOptions = labelOptions with { Strategy = EnsembleStrategy.Direct };
        var routing = policy.Routing(new RoutingOptions { Beta = calibration.Beta, Alpha = calibration.Alpha });
        var costBoard = new Dictionary<string, (double Sum, int Count)>(StringComparer.Ordinal);
        void AddCost(string column, double value)
        {
            if (double.IsNaN(value)) return;
            costBoard.TryGetValue(column, out var cell);
            costBoard[column] = (cell.Sum + value, cell.Count + 1);
        }
        var randoms = Enumerable.Range(0, Math.Max(1, options.RandomRouterSeeds)).Select(s => new Random(unchecked(calibration.Seed + 7919 * (s + 1)))).ToArray();
        int fallbacks = 0;
        long samplesUsed = 0;
        List<ItemDecision>? decisions = options.RecordDecisions ? [] : null;
        for (int i = 0; i < test.Length; i++)
        {
            PreparedRecord item = test[i];
            string dataset = item.Record.Dataset;
            var available = pool.Where(m => !double.IsNaN(item.Correctness(m))).ToHashSet(StringComparer.Ordinal);

            RoutingDecision decision = router.Route(all[train.Length + i], routing with { Available = available });
            EnsemblePlan plan = policy.Plan(decision, options.Adaptive);
            List<SampleSet> sampleSets = policy.Ballots(plan, model => item.Answers[model]);
            EnsembleOptions ensemble = plan.Options;
            EnsembleChoice choice = EnsembleDecider.Decide(sampleSets, ensemble);
            if (choice.Note is not null && ensemble.Strategy != EnsembleStrategy.Direct) fallbacks++;
            samplesUsed += choice.SamplesUsed;
            if (costModel is not null)
            {
                AddCost("avengers", ConsultedCost(costModel, item.Record, sampleSets, choice, ensemble));
                AddCost("best_single", FirstSampleCost(costModel, item.Record, bestSingle));
                foreach (string model in pool) AddCost("model:" + model, FirstSampleCost(costModel, item.Record, model));
            }
            board.Add("avengers", dataset, item.Grades[choice.Model][choice.SampleIndex] ?? 0);
            decisions?.Add(new ItemDecision(item.Record.Id, choice.Model, choice.SampleIndex, item.Answers[choice.Model][choice.SampleIndex], item.Grades[choice.Model][choice.SampleIndex] ?? 0));

            if (datasetIndex.TryGetValue(dataset, out int labelCluster))
            {
                var labelRanked = byDataset.Ranking(labelCluster).ToArray().Where(j => available.Contains(pool[j]))
                    .Select(j => new SampleSet(pool[j], item.Answers[pool[j]], VoteWeights.LogOdds(byDataset[labelCluster, j].Smoothed, policy.VoteOptions))).ToList();
                EnsembleChoice labelChoice = EnsembleDecider.Decide(labelRanked, labelOptions);
                board.Add("label_router", dataset, item.Grades[labelChoice.Model][labelChoice.SampleIndex] ?? 0);
            }

            foreach (string model in everyone)
            {
                double value = item.Correctness(model);
                if (!double.IsNaN(value)) board.Add("model:" + model, dataset, value);
            }
            double best = item.Correctness(bestSingle);
            board.Add("best_single", dataset, double.IsNaN(best) ? 0 : best);
            double randomSum = 0;
            string[] candidates = available.Order(StringComparer.Ordinal).ToArray();
            foreach (Random random in randoms) randomSum += item.Correctness(candidates[random.Next(candidates.Length)]);
            board.Add("random", dataset, randomSum / randoms.Length);
            board.Add("oracle", dataset, available.Max(m => item.Correctness(m)));
        }
        if (fallbacks > 0) notes.Add($"{fallbacks} test items had no extractable answer to vote on (e.g. score-only data): the top model's sample was used");

        IReadOnlyDictionary<string, UnreadableReport> unreadable = Unreadable([.. train, .. allTest], pool);
        var warnings = unreadable.Where(p => p.Value.Warn)
            .Select(p => $"{p.Key}: {p.Value.Unreadable} of {p.Value.Responses} responses ({p.Value.Rate:P0}) gave no answer that could be read; they never vote and count as wrong. Check the answer type, or add a grading rule ({GradingRulesFile.Suffix} beside the benchmark)")
            .ToList();

        var datasets = test.Select(r => r.Record.Dataset).Distinct().Order(StringComparer.Ordinal).ToList();
        var sizes = datasets.ToDictionary(ds => ds, ds => test.Count(r => r.Record.Dataset == ds), StringComparer.Ordinal);
        var modelReports = pool.ToDictionary(m => m, m => board.Report("model:" + m), StringComparer.Ordinal);
        var setup = new ExperimentSetup(Path.GetFileName(benchmark.Source), benchmark.DataHash, embeddingId, options.ValidationOnly ? "validation" : split.Source,
            train.Length, test.Length, split.RemovedDuplicates, ungradable, calibrated.Artifact.Manifest.Clustering.K, calibration.Seed,
            calibration.Restarts, calibration.PriorStrength, policy.Strategy, policy.TopN, policy.TopK,
            calibration.Beta, pool, calibrated.Artifact.Manifest.Selected, options.Grading.ToWireName(), calibrated.Artifact.Manifest.Clustering.Partitions, calibration.Method);
        AccuracyReport bestReport = board.Report("best_single");
        var result = new ExperimentResult(
            board.Report("avengers"),
            new BestSingleReport(bestSingle, bestSingleTrain, bestReport.Accuracy, bestReport.PerDataset),
            board.Report("random"),
            board.Report("oracle"),
            board.Report("label_router"),
            modelReports.ToDictionary(p => p.Key, p => p.Value.Accuracy, StringComparer.Ordinal),
            modelReports,
            options.References.ToDictionary(m => m, m => board.Report("model:" + m), StringComparer.Ordinal),
            datasets, sizes, fallbacks, (double)samplesUsed / test.Length,
            costModel is null ? null : new CostReport(MeanCostOf("avengers"), MeanCostOf("best_single"),
                pool.ToDictionary(m => m, m => MeanCostOf("model:" + m), StringComparer.Ordinal), calibration.Alpha),
            setup, notes, policy, unreadable, warnings, decisions);

        double MeanCostOf(string column) => costBoard.TryGetValue(column, out var cell) && cell.Count > 0 ? cell.Sum / cell.Count : double.NaN;
        return (result, calibrated);
    }

    /// <summary>Per model: responses with text whose answer could not be read (answer types that vote), with two examples.</summary>
    private static IReadOnlyDictionary<string, UnreadableReport> Unreadable(IReadOnlyList<PreparedRecord> records, IReadOnlyList<string> pool)
    {
        var result = new SortedDictionary<string, UnreadableReport>(StringComparer.Ordinal);
        foreach (string model in pool)
        {
            int responses = 0, missed = 0;
            var examples = new List<string>(2);
            foreach (PreparedRecord record in records)
            {
                if (!record.Record.AnswerType.IsVotable() || !record.Record.Outputs.TryGetValue(model, out IReadOnlyList<Sample>? samples)) continue;
                string?[] answers = record.Answers[model];
                for (int s = 0; s < samples.Count; s++)
                {
                    if (samples[s].Text is not string text || samples[s].Answer is not null) continue;
                    responses++;
                    if (answers[s] is not null) continue;
                    missed++;
                    if (examples.Count < 2) examples.Add(Excerpt(text));
                }
            }
            if (responses > 0) result[model] = new UnreadableReport(missed, responses, Math.Round((double)missed / responses, 4), examples);
        }
        return result;
    }

    private static string Excerpt(string text)
    {
        string flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 160 ? flat : flat[..80] + " ... " + flat[^75..];
    }

    private static double FirstSampleCost(CostModel costs, BenchmarkRecord record, string model)
        => record.Outputs.TryGetValue(model, out IReadOnlyList<Sample>? samples) && samples.Count > 0
            ? costs.SampleCost(model, costs.CountTokens(record.Query), samples[0]) : double.NaN;

    /// <summary>Every sample the strategy looked at is paid for: the first SamplesUsed ballots in (rank, sample) order.</summary>
    private static double ConsultedCost(CostModel costs, BenchmarkRecord record, List<SampleSet> ranked, EnsembleChoice choice, EnsembleOptions options)
    {
        int prompt = costs.CountTokens(record.Query), left = Math.Max(1, choice.SamplesUsed);
        double total = 0;
        for (int r = 0; r < Math.Max(1, choice.ModelsUsed) && left > 0; r++)
        {
            IReadOnlyList<Sample> samples = record.Outputs[ranked[r].Model];
            int take = Math.Min(Math.Min(samples.Count, options.SamplesPerModel ?? int.MaxValue), left);
            for (int s = 0; s < take; s++) total += costs.SampleCost(ranked[r].Model, prompt, samples[s]);
            left -= take;
        }
        return total;
    }

    private static string TextOf(BenchmarkRecord record, ExperimentOptions options)
        => options.EmbedChoices ? QueryText.ForEmbedding(record.Query, record.Choices) : record.Query;

    private static IReadOnlyList<string> ResolvePool(Benchmark benchmark, ExperimentOptions options)
    {
        var known = new HashSet<string>(benchmark.Models, StringComparer.Ordinal);
        string[] unknown = (options.Models ?? []).Concat(options.References).Where(m => !known.Contains(m)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"unknown model(s) {string.Join(", ", unknown)}; {Path.GetFileName(benchmark.Source)} has: {string.Join(", ", benchmark.Models)}");
        IReadOnlyList<string> pool = options.Models ?? benchmark.Models.Where(m => !options.References.Contains(m)).ToList();
        if (pool.Count == 0) throw new ArgumentException("the model pool is empty");
        return pool.Distinct(StringComparer.Ordinal).ToList();
    }

    private static double MeanOf(PreparedRecord[] records, string model)
    {
        double sum = 0; int count = 0;
        foreach (PreparedRecord record in records)
        {
            double value = record.Correctness(model);
            if (!double.IsNaN(value)) { sum += value; count++; }
        }
        return count == 0 ? 0 : sum / count;
    }

    /// <summary>Sums per column and dataset.</summary>
    private sealed class ScoreBoard
    {
        private readonly Dictionary<string, Dictionary<string, (double Sum, int Count)>> _columns = new(StringComparer.Ordinal);

        public void Add(string column, string dataset, double value)
        {
            if (!_columns.TryGetValue(column, out var perDataset)) _columns[column] = perDataset = new(StringComparer.Ordinal);
            perDataset.TryGetValue(dataset, out var cell);
            perDataset[dataset] = (cell.Sum + value, cell.Count + 1);
        }

        public AccuracyReport Report(string column)
        {
            if (!_columns.TryGetValue(column, out var perDataset)) return new AccuracyReport(double.NaN, new Dictionary<string, double>(), 0);
            double sum = perDataset.Values.Sum(c => c.Sum);
            int count = perDataset.Values.Sum(c => c.Count);
            var per = perDataset.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value.Sum / p.Value.Count, StringComparer.Ordinal);
            return new AccuracyReport(count == 0 ? double.NaN : sum / count, per, count);
        }
    }
}
