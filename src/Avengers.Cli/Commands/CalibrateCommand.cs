using System.CommandLine;
using Avengers.Calibration;
using Avengers.Clustering;
using Avengers.Data;
using Avengers.Embedding;
using Avengers.Evaluation;
using Avengers.Routing;
using Avengers.Scoring;

namespace Avengers.Cli.Commands;

/// <summary><c>avengers calibrate --benchmark FILE -o router.avengers</c></summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var benchmark = CliOptions.Benchmark();
        var models = CliOptions.Models();
        var embedding = CliOptions.Embedding();
        var cache = CliOptions.Cache();
        var download = CliOptions.Download();
        var skipInvalid = CliOptions.SkipInvalid();
        var embedChoices = new Option<bool>("--embed-choices") { Description = "Embed multiple-choice questions with their options appended" };
        var all = new Option<bool>("--all-records") { Description = "Calibrate on every record, not only the training split" };
        var output = new Option<string>("--output", "-o") { Description = "Router artifact to write", Required = true };
        var prices = CliOptions.Prices();
        var feedback = new Option<string?>("--feedback") { Description = "Ratings exported from the gateway ('avengers feedback export'), comma-separated files: added to the training items as labelled evidence" };
        var group = new CliOptions.CalibrationGroup();
        var command = new Command("calibrate", "Cluster the training queries, score every model per cluster, select models, and write a router artifact")
        {
            benchmark, models, embedding, cache, download, skipInvalid, embedChoices, all, output, prices, feedback,
        };
        group.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            CalibrationOptions options = group.Read(parse);
            options.Validate();
            string file = await BenchmarkCatalog.ResolveAsync(parse.GetValue(benchmark)!, parse.GetValue(download), CliRunner.Info, cancellationToken);
            Benchmark data = CliRunner.ReadBenchmark(file, null, parse.GetValue(skipInvalid));
            IReadOnlyList<string> pool = CliOptions.SplitList(parse.GetValue(models))
                ?? BenchmarkCatalog.Find(parse.GetValue(benchmark)!)?.Pool ?? data.Models;
            string[] unknown = pool.Where(m => !data.Models.Contains(m)).ToArray();
            if (unknown.Length > 0) throw new ArgumentException($"--models: unknown model(s) {string.Join(", ", unknown)}; the file has {string.Join(", ", data.Models)}");

            // The file's training split without exact duplicates of test queries (the experiment's rule), or every record.
            bool useAll = parse.GetValue(all) || data.Records.All(r => r.Split is null);
            DatasetSplit? split = useAll ? null : DatasetSplit.Create(data.Records, options.Seed);
            IReadOnlyList<BenchmarkRecord> records = split?.Train ?? data.Records;
            // Live ratings: each is a question with the rated models' outcomes, one more training item.
            foreach (string ratings in CliOptions.SplitList(parse.GetValue(feedback)) ?? [])
            {
                Benchmark rated = CliRunner.ReadBenchmark(ratings, null, parse.GetValue(skipInvalid));
                string[] strangers = [.. rated.Models.Where(m => !pool.Contains(m))];
                if (strangers.Length > 0) CliRunner.Info($"{ratings}: ratings of {string.Join(", ", strangers)} are left out (not in the pool)");
                records = [.. records, .. rated.Records.Select(r => r with { Id = "feedback:" + r.Id })];
                CliRunner.Info($"{ratings}: {rated.Records.Count} rating(s) added to the {records.Count - rated.Records.Count} training items");
            }
            int removed = split?.RemovedDuplicates ?? 0;
            var priceTable = CliOptions.ReadPrices(parse.GetValue(prices), parse.GetValue(benchmark)!);
            TrainingSide side = TrainingSide.Prepare(PreparedRecord.PrepareAll(records, pool), pool, priceTable, options.Alpha);

            using EmbeddingStack stack = await CliRunner.EmbeddingAsync(parse.GetValue(embedding), parse.GetValue(cache), cancellationToken);
            var texts = records.Select(r => parse.GetValue(embedChoices) ? QueryText.ForEmbedding(r.Query, r.Choices) : r.Query).ToList();
            if (EmbeddingRunner.FirstRunNote(stack.Generator, texts) is string firstRun) CliRunner.Info(firstRun);
            VectorSet vectors = await CliRunner.WithProgressAsync("embedding queries", p =>
                EmbeddingRunner.EmbedAllAsync(stack.Generator, texts, new Progress<int>(d => p.Report((d, texts.Count))), cancellationToken));
            CalibrationResult result = side.Calibrate(vectors, options,
                new RouterManifest.EmbeddingInfo(stack.ModelId, stack.Dimension, Input: parse.GetValue(embedChoices) ? "question+choices" : "question"),
                new RouterManifest.DataInfo(Path.GetFileName(file), data.DataHash, records.Count, removed));
            string path = parse.GetValue(output)!;
            result.Artifact.Save(path);

            foreach (string note in result.Notes) CliRunner.Info(note);
            if (removed > 0) CliRunner.Info($"removed {removed} training records whose query also appears in the test split");
            Console.WriteLine($"wrote {path} (sha256 {result.Artifact.FileHash})");
            Console.WriteLine($"  {records.Count} training items, K = {result.Artifact.Manifest.Clustering.K} x {result.Artifact.Manifest.Clustering.Partitions} partition(s), first partition: inertia {result.Clusters.Inertia:F2}, {result.Clusters.Iterations} iterations");
            CliRunner.PrintPolicy(result.Policy, "  ");
            Console.WriteLine("  model selection (first places, second places, global accuracy):");
            foreach (SelectionEntry entry in result.Selection)
                Console.WriteLine($"    {entry.Model,-36} {entry.FirstPlaces,4} {entry.SecondPlaces,4}  {entry.GlobalAccuracy:F3}{(result.Artifact.Manifest.Selected.Contains(entry.Model) ? "" : "  (not selected)")}");
            return 0;
        }));
        return command;
    }
}
