using Avengers.Calibration;
using Avengers.Clustering;
using Avengers.Data;
using Avengers.Embedding;
using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Voting;
using Microsoft.Extensions.AI;
using Avengers.Answers;

namespace Avengers.Evaluation;

/// <summary>
/// Calibrates on the training side, routes and votes on the test side using recorded outputs, and
/// compares with every single model, the best single model (chosen on train), a random router and
/// the oracle. Routing sees only query embeddings: never dataset or task labels.
/// </summary>
public static class Experiment
{
    /// <summary>Calibrates on the training side, then routes, votes and scores the test side with the recorded outputs.</summary>
    /// <param name="benchmark">Records with every model's recorded outputs.</param>
    /// <param name="embedder">Embeds the queries (wrap it in the cache for repeated runs).</param>
    /// <param name="embeddingId">The embedding model's id, recorded in the artifact.</param>
    /// <param name="options">Split, calibration and ensemble settings.</param>
    /// <param name="progress">Stages and their progress (with a first-run note before a long embedding).</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <exception cref="ArgumentException">The pool, the split or the options make no experiment (the message says why).</exception>
    public static async Task<(ExperimentResult Result, CalibrationResult Calibration)> RunAsync(
        Benchmark benchmark, IEmbeddingGenerator<string, Embedding<float>> embedder, string embeddingId,
        ExperimentOptions options, IProgress<StageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(options);
        options.Calibration.Validate();
        IReadOnlyList<string> pool = ResolvePool(benchmark, options);
        var notes = new List<string>();

        Sides sides = Split(benchmark, pool, options, notes);
        VectorSet vectors = await EmbedAsync(sides, embedder, options, progress, cancellationToken).ConfigureAwait(false);
        (CalibrationResult calibrated, CorrectnessMatrix correctness) = Calibrate(benchmark, sides, vectors, pool, embeddingId, options);
        notes.AddRange(calibrated.Notes);
        Scored scored = Evaluate(sides, vectors, calibrated, correctness, pool, options, notes);
        return (Assemble(benchmark, sides, calibrated, scored, pool, embeddingId, options, notes), calibrated);
    }

    /// <summary>The graded training and test sides of the split (test items no pool model can be graded on are set aside).</summary>
    private sealed record Sides(DatasetSplit Split, PreparedRecord[] Train, PreparedRecord[] AllTest, PreparedRecord[] Test, IReadOnlyList<string> Everyone)
    {
        public int Ungradable => AllTest.Length - Test.Length;
    }

    /// <summary>What the test side scored: the board of every column, costs, and the ensemble's bookkeeping.</summary>
    private sealed record Scored(ScoreBoard Board, CostBoard? Costs, EnsemblePolicy Policy, BestSingleBaseline BestSingle, int Fallbacks, long SamplesUsed, List<ItemDecision>? Decisions);

    private static Sides Split(Benchmark benchmark, IReadOnlyList<string> pool, ExperimentOptions options, List<string> notes)
    {
        CalibrationOptions calibration = options.Calibration;
        var everyone = pool.Concat(options.References).Distinct(StringComparer.Ordinal).ToList();
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
        int inferred = benchmark.Records.Count(r => r.AnswerTypeInferred);
        if (inferred > 0)
            notes.Add($"{inferred} records have no answer_type: read as " + string.Join(", ", benchmark.Records.Where(r => r.AnswerTypeInferred)
                .GroupBy(r => r.AnswerType).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).Select(g => $"{g.Key.ToWireName()} {g.Count()}"))
                + " (inferred from the gold answers; set answer_type to choose)");
        if (split.RemovedDuplicates > 0) notes.Add($"removed {split.RemovedDuplicates} training items whose query also appears in the test set");

        PreparedRecord[] train = PreparedRecord.PrepareAll(split.Train, everyone);
        PreparedRecord[] allTest = PreparedRecord.PrepareAll(split.Test, everyone, options.Grading);
        if (options.Grading != GradingProtocol.Strict)
            notes.Add($"test responses graded with the {options.Grading.ToWireName()} protocol (an unreadable answer counts as a random guess); calibration uses strict grades");
        PreparedRecord[] test = allTest.Where(r => pool.Any(m => !double.IsNaN(r.Correctness(m)))).ToArray();
        var sides = new Sides(split, train, allTest, test, everyone);
        if (sides.Ungradable > 0) notes.Add($"{sides.Ungradable} test items have no gradable output of any pool model and are not counted");
        if (test.Length == 0) throw new ArgumentException("no test item can be graded (no recorded score and no comparable gold answer)");
        return sides;
    }

    /// <summary>Train and test queries in one pass (the cache makes repeated runs cheap): train rows first, then test rows.</summary>
    private static async Task<VectorSet> EmbedAsync(Sides sides, IEmbeddingGenerator<string, Embedding<float>> embedder, ExperimentOptions options,
        IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        string[] texts = [.. sides.Train.Select(r => TextOf(r.Record, options)), .. sides.Test.Select(r => TextOf(r.Record, options))];
        var embedProgress = progress is null ? null : new Progress<int>(done => progress.Report(new StageProgress("embed", done, texts.Length)));
        if (progress is not null && EmbeddingRunner.FirstRunNote(embedder, texts) is string note) progress.Report(new StageProgress("embed", 0, texts.Length, note));
        return await EmbeddingRunner.EmbedAllAsync(embedder, texts, embedProgress, cancellationToken).ConfigureAwait(false);
    }

    /// <returns>The calibration and the training side's correctness matrix (the label router's baseline reuses it).</returns>
    private static (CalibrationResult, CorrectnessMatrix) Calibrate(Benchmark benchmark, Sides sides, VectorSet vectors, IReadOnlyList<string> pool, string embeddingId, ExperimentOptions options)
    {
        int d = vectors.Dimension;
        var trainVectors = new VectorSet(vectors.Data[..(sides.Train.Length * d)], d);
        TrainingSide side = TrainingSide.Prepare(sides.Train, pool, options.Prices, options.Calibration.Alpha);
        return (side.Calibrate(trainVectors, options.Calibration,
            new RouterManifest.EmbeddingInfo(embeddingId, d, Input: options.EmbedChoices ? "question+choices" : "question"),
            new RouterManifest.DataInfo(Path.GetFileName(benchmark.Source), benchmark.DataHash, sides.Train.Length, sides.Split.RemovedDuplicates)), side.Correctness);
    }

    /// <summary>Routes and decides every test item as the gateway would, and scores the baselines beside it.</summary>
    private static Scored Evaluate(Sides sides, VectorSet vectors, CalibrationResult calibrated, CorrectnessMatrix correctness, IReadOnlyList<string> pool,
        ExperimentOptions options, List<string> notes)
    {
        CalibrationOptions calibration = options.Calibration;
        PreparedRecord[] train = sides.Train, test = sides.Test;
        var router = new ClusterRouter(calibrated.Artifact);
        EnsemblePolicy policy = calibrated.Policy;
        bool anythingToVoteOn = test.Any(r => pool.Any(m => r.Answers.TryGetValue(m, out string?[]? answers) && answers.Any(a => a is not null)));
        if (!anythingToVoteOn && policy.StrategyKind != EnsembleStrategy.Direct && policy.FixedModel is null)
        {
            // Score-only data (no response texts or answers): a vote could only fall back to the top model, so
            // count exactly that one sample rather than paying for samples that cannot vote.
            notes.Add($"no test response has an answer to vote on (scores only): strategy {policy.Strategy} runs as direct, the top model's recorded score");
            policy = policy with { Strategy = EnsembleStrategy.Direct.ToWireName(), ClusterGain = null };
        }

        BestSingleBaseline bestSingle = BestSingleBaseline.ChooseOn(train, pool);
        Baseline[] baselines =
        [
            new LabelRouterBaseline(train, correctness, pool, calibrated.Artifact.Scores.PriorStrength, policy, options.Adaptive),
            .. sides.Everyone.Select(m => new SingleModelBaseline(m)),
            bestSingle,
            new RandomRouterBaseline(calibration.Seed, options.RandomRouterSeeds),
            new OracleBaseline(),
        ];
        CostBoard? costs = options.Prices is null ? null : new CostBoard(new CostModel(options.Prices));

        var board = new ScoreBoard();
        var routing = policy.Routing(new RoutingOptions { Beta = calibration.Beta, Alpha = calibration.Alpha });
        int fallbacks = 0;
        long samplesUsed = 0;
        List<ItemDecision>? decisions = options.RecordDecisions ? [] : null;
        for (int i = 0; i < test.Length; i++)
        {
            PreparedRecord item = test[i];
            string dataset = item.Record.Dataset;
            var available = pool.Where(m => !double.IsNaN(item.Correctness(m))).ToHashSet(StringComparer.Ordinal);

            // The one decision the gateway also makes: route, plan, ballots, decide.
            RoutingDecision decision = router.Route(vectors[train.Length + i], routing with { Available = available });
            QueryPlan plan = policy.Plan(decision, options.Adaptive);
            List<SampleSet> sampleSets = policy.Ballots(plan, model => item.Answers[model]);
            VoteOutcome choice = EnsembleDecider.Decide(sampleSets, plan.Options);
            if (choice.Note is not null && plan.Options.Strategy != EnsembleStrategy.Direct) fallbacks++;
            samplesUsed += choice.SamplesUsed;
            double grade = item.Grades[choice.Model][choice.SampleIndex] ?? 0;
            board.Add("avengers", dataset, grade);
            decisions?.Add(new ItemDecision(item.Record.Id, choice.Model, choice.SampleIndex, item.Answers[choice.Model][choice.SampleIndex], grade));
            costs?.AddItem(item.Record, sampleSets, choice, plan.Options, bestSingle.Model, pool);

            foreach (Baseline baseline in baselines)
            {
                double score = baseline.Score(item, available);
                if (!double.IsNaN(score)) board.Add(baseline.Column, dataset, score);
            }
        }
        if (fallbacks > 0) notes.Add($"{fallbacks} test items had no extractable answer to vote on (e.g. score-only data): the top model's sample was used");
        return new Scored(board, costs, policy, bestSingle, fallbacks, samplesUsed, decisions);
    }

    private static ExperimentResult Assemble(Benchmark benchmark, Sides sides, CalibrationResult calibrated, Scored scored, IReadOnlyList<string> pool,
        string embeddingId, ExperimentOptions options, List<string> notes)
    {
        CalibrationOptions calibration = options.Calibration;
        PreparedRecord[] test = sides.Test;
        ScoreBoard board = scored.Board;
        EnsemblePolicy policy = scored.Policy;
        IReadOnlyDictionary<string, UnreadableReport> unreadable = Unreadable([.. sides.Train, .. sides.AllTest], pool);
        var warnings = unreadable.Where(p => p.Value.Warn)
            .Select(p => $"{p.Key}: {p.Value.Unreadable} of {p.Value.Responses} responses ({p.Value.Rate:P0}) gave no answer that could be read; they never vote and count as wrong. Check the answer type, or add a grading rule ({GradingRulesFile.Suffix} beside the benchmark)")
            .ToList();
        warnings.AddRange(NeverRight([.. sides.Train, .. sides.AllTest], pool));

        var datasets = test.Select(r => r.Record.Dataset).Distinct().Order(StringComparer.Ordinal).ToList();
        var sizes = datasets.ToDictionary(ds => ds, ds => test.Count(r => r.Record.Dataset == ds), StringComparer.Ordinal);
        var modelReports = pool.ToDictionary(m => m, m => board.Report("model:" + m), StringComparer.Ordinal);
        var setup = new ExperimentSetup(Path.GetFileName(benchmark.Source), benchmark.DataHash, embeddingId, options.ValidationOnly ? "validation" : sides.Split.Source,
            sides.Train.Length, test.Length, sides.Split.RemovedDuplicates, sides.Ungradable, calibrated.Artifact.Manifest.Clustering.K, calibration.Seed,
            calibration.Restarts, calibrated.Artifact.Scores.PriorStrength, policy.Strategy, policy.TopN, policy.TopK,
            calibration.Beta, pool, calibrated.Artifact.Manifest.Selected, options.Grading.ToWireName(), calibrated.Artifact.Manifest.Clustering.Partitions, calibration.Method);
        AccuracyReport bestReport = board.Report("best_single");
        return new ExperimentResult(
            board.Report("avengers"),
            new BestSingleReport(scored.BestSingle.Model, scored.BestSingle.TrainAccuracy, bestReport.Accuracy, bestReport.PerDataset),
            board.Report("random"),
            board.Report("oracle"),
            board.Report("label_router"),
            modelReports.ToDictionary(p => p.Key, p => p.Value.Accuracy, StringComparer.Ordinal),
            modelReports,
            options.References.ToDictionary(m => m, m => board.Report("model:" + m), StringComparer.Ordinal),
            datasets, sizes, scored.Fallbacks, (double)scored.SamplesUsed / test.Length,
            scored.Costs?.Report(pool, calibration.Alpha),
            setup, notes, policy, unreadable, warnings, scored.Decisions);
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

    /// <summary>
    /// Datasets where answers were read but almost none matches its gold answer, for every model alike: the gold
    /// answers are likely written in another form than the answers (a quote, a unit, a label set), which no model
    /// can win; named with two read answers beside their gold answers.
    /// </summary>
    private static IEnumerable<string> NeverRight(IReadOnlyList<PreparedRecord> records, IReadOnlyList<string> pool)
    {
        foreach (var dataset in records.Where(r => r.Record.AnswerType.IsVotable() && r.Gold is not null).GroupBy(r => r.Record.Dataset).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            int read = 0, right = 0;
            var examples = new List<string>(2);
            foreach (PreparedRecord record in dataset)
                foreach (string model in pool)
                {
                    if (!record.Answers.TryGetValue(model, out string?[]? answers) || !record.Grades.TryGetValue(model, out double?[]? grades)) continue;
                    for (int s = 0; s < answers.Length && s < grades.Length; s++)
                    {
                        if (answers[s] is not string answer || grades[s] is not double grade) continue;
                        read++;
                        if (grade > 0) right++;
                        else if (examples.Count < 2 && examples.All(e => !e.StartsWith($"'{Short(answer)}'", StringComparison.Ordinal)))
                            examples.Add($"'{Short(answer)}' against gold '{Short(record.Gold!)}'");
                    }
                }
            if (read >= 20 && right < 0.02 * read)
                yield return $"dataset {dataset.Key}: {read} answers were read but {right} ({(double)right / read:P1}) match their gold answer, for every model alike (read {string.Join("; ", examples)}); " +
                    $"the gold answers may be written in another form. Check the answer type, or add a grading rule ({GradingRulesFile.Suffix} beside the benchmark)";
        }

        static string Short(string text) => text.Length <= 40 ? text : text[..37] + "...";
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
    private static double ConsultedCost(CostModel costs, BenchmarkRecord record, List<SampleSet> ranked, VoteOutcome choice, VoteRule options)
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
            throw new ArgumentException($"unknown model(s) {string.Join(", ", unknown)}; {Path.GetFileName(benchmark.Source)} has: {string.Join(", ", benchmark.FileModels)}");
        IReadOnlyList<string> pool = options.Models ?? benchmark.Models.Where(m => !options.References.Contains(m)).ToList();
        if (pool.Count == 0) throw new ArgumentException("the model pool is empty");
        return pool.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Mean cost per test item of the ensemble (every sample it consulted), the best single model and each model.</summary>
    private sealed class CostBoard(CostModel model)
    {
        private readonly Dictionary<string, (double Sum, int Count)> _columns = new(StringComparer.Ordinal);

        public void AddItem(BenchmarkRecord record, List<SampleSet> sampleSets, VoteOutcome choice, VoteRule options, string bestSingle, IReadOnlyList<string> pool)
        {
            Add("avengers", ConsultedCost(model, record, sampleSets, choice, options));
            Add("best_single", FirstSampleCost(model, record, bestSingle));
            foreach (string m in pool) Add("model:" + m, FirstSampleCost(model, record, m));
        }

        public CostReport Report(IReadOnlyList<string> pool, double? alpha)
            => new(MeanOf("avengers"), MeanOf("best_single"), pool.ToDictionary(m => m, m => MeanOf("model:" + m), StringComparer.Ordinal), alpha);

        private void Add(string column, double value)
        {
            if (double.IsNaN(value)) return;
            _columns.TryGetValue(column, out var cell);
            _columns[column] = (cell.Sum + value, cell.Count + 1);
        }

        private double MeanOf(string column) => _columns.TryGetValue(column, out var cell) && cell.Count > 0 ? cell.Sum / cell.Count : double.NaN;
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
