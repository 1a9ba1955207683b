using System.CommandLine;
using System.Text.Json;
using Avengers.Calibration;
using Avengers.Data;
using Avengers.Embedding;
using Avengers.Evaluation;

namespace Avengers.Cli.Commands;

/// <summary><c>avengers experiment --benchmark FILE_OR_NAME [--models a,b] [--k 64] [--strategy vote --top-n N] [--seed 42] [-o results.json]</c></summary>
internal static class ExperimentCommand
{
    public static Command Create()
    {
        var benchmark = CliOptions.Benchmark();
        var models = CliOptions.Models();
        var datasets = CliOptions.Datasets();
        var references = new Option<string?>("--references") { Description = "Comma-separated models shown for comparison only (default: the benchmark's larger models)" };
        var embedding = CliOptions.Embedding();
        var cache = CliOptions.Cache();
        var download = CliOptions.Download();
        var skipInvalid = CliOptions.SkipInvalid();
        var trainFraction = new Option<double>("--train-fraction") { Description = "Share of each dataset used for calibration when the file has no split", DefaultValueFactory = _ => DatasetSplit.DefaultTrainFraction };
        var randomSeeds = new Option<int>("--random-seeds") { Description = "Seeds the random-router baseline is averaged over", DefaultValueFactory = _ => 10 };
        var json = new Option<string?>("--output", "-o") { Description = "Write the results as JSON to this file" };
        var jsonOld = CliOptions.Hidden<string?>("--json");
        var artifact = new Option<string?>("--router", "-r") { Description = "Also save the router artifact calibrated on the training side to this file" };
        var artifactOld = CliOptions.Hidden<string?>("--artifact");
        var validation = new Option<bool>("--validation") { Description = "Evaluate on a seeded split of the training side only (choose settings without touching the test set)" };
        var adaptive = new Option<bool>("--adaptive") { Description = "Stop each vote once its leader cannot be overtaken (reports samples used per query)" };
        var ood = new Option<bool>("--ood") { Description = "Out of distribution: for each dataset, calibrate without any of its items and evaluate on its test items; prints a table beside the in-distribution numbers" };
        var embedChoices = new Option<bool>("--embed-choices") { Description = "Embed multiple-choice questions with their options appended (default: the question only)" };
        var prices = CliOptions.Prices();
        var grading = CliOptions.Grading();
        var group = new CliOptions.CalibrationGroup();
        var command = new Command("experiment", "Calibrate on the training split, route and vote on the test split with recorded outputs, and compare with every model, the best single model, a random router and the oracle")
        {
            benchmark, models, references, datasets, embedding, cache, download, skipInvalid, trainFraction, randomSeeds, validation, embedChoices, adaptive, prices, json, jsonOld, artifact, artifactOld, grading, ood,
        };
        group.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            CalibrationOptions calibration = group.Read(parse);
            calibration.Validate();
            string name = parse.GetValue(benchmark)!;
            string file = await BenchmarkCatalog.ResolveAsync(name, parse.GetValue(download), CliRunner.Info, cancellationToken);
            BenchmarkCatalog.Entry? entry = BenchmarkCatalog.Find(name);
            IReadOnlyList<string>? pool = CliOptions.SplitList(parse.GetValue(models)) ?? entry?.Pool;
            IReadOnlyList<string> refs = CliOptions.SplitList(parse.GetValue(references)) ?? entry?.References ?? [];
            var keep = pool is null ? null : pool.Concat(refs).ToHashSet(StringComparer.Ordinal);
            Benchmark data = CliRunner.ReadBenchmark(file, keep, parse.GetValue(skipInvalid));
            if (CliOptions.SplitList(parse.GetValue(datasets)) is { Count: > 0 } only) data = data.WithDatasets(only);
            refs = refs.Where(data.Models.Contains).ToList(); // references are optional extras

            using EmbeddingStack stack = await CliRunner.EmbeddingAsync(parse.GetValue(embedding), parse.GetValue(cache), cancellationToken);
            var options = new ExperimentOptions
            {
                Models = pool,
                References = refs,
                Calibration = calibration,
                TrainFraction = parse.GetValue(trainFraction),
                RandomRouterSeeds = parse.GetValue(randomSeeds),
                ValidationOnly = parse.GetValue(validation),
                EmbedChoices = parse.GetValue(embedChoices),
                Adaptive = parse.GetValue(adaptive),
                Prices = CliOptions.ReadPrices(parse.GetValue(prices), name),
                Grading = GradingProtocols.Parse(parse.GetValue(grading)),
            };
            if (parse.GetValue(ood))
            {
                IReadOnlyList<OodRow> rows = await OutOfDistribution.RunAsync(data, stack.Generator, stack.ModelId, options, new Progress<string>(CliRunner.Info), cancellationToken);
                PrintOod(rows);
                if (CliOptions.Either(parse, json, jsonOld) is string oodPath)
                {
                    await Avengers.IO.AtomicFile.WriteAllTextAsync(oodPath, JsonSerializer.Serialize(rows, Avengers.Reporting.ReportBuilder.ResultJson), cancellationToken);
                    Console.WriteLine($"results written to {oodPath}");
                }
                Console.WriteLine($"done in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
                return 0;
            }
            var (result, calibrated) = await CliRunner.WithProgressAsync("embedding queries", p =>
                Experiment.RunAsync(data, stack.Generator, stack.ModelId, options, CliRunner.StageProgress(p), cancellationToken));

            Print(result);
            if (CliOptions.Either(parse, json, jsonOld) is string jsonPath)
            {
                await Avengers.IO.AtomicFile.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(result, Avengers.Reporting.ReportBuilder.ResultJson), cancellationToken);
                Console.WriteLine($"results written to {jsonPath}");
            }
            if (CliOptions.Either(parse, artifact, artifactOld) is string artifactPath)
            {
                calibrated.Artifact.Save(artifactPath);
                Console.WriteLine($"router artifact written to {artifactPath}");
            }
            Console.WriteLine($"done in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
            return 0;
        }));
        return command;
    }

    private static void Print(ExperimentResult result)
    {
        ExperimentSetup s = result.Setup;
        Console.WriteLine($"benchmark {s.Benchmark} (sha256 {s.DataSha256[..12]}), split {s.Split}: {s.TrainItems} train / {s.TestItems} test items");
        Console.WriteLine($"embedding {s.Embedding}; {s.Method} K = {s.K}{(s.Partitions > 1 ? $" x {s.Partitions} partitions" : "")}, seed {s.Seed}, restarts {s.Restarts}; prior {s.PriorStrength.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)}; strategy {s.Strategy}, top-n {s.TopN}, top-k {s.TopK}");
        foreach (string note in result.Notes) Console.WriteLine($"note: {note}");
        if (result.Policy is { } policy) CliRunner.PrintPolicy(policy);
        Console.WriteLine();

        foreach (string line in Avengers.Reporting.ResultsTable.From(result).ToTerminal()) Console.WriteLine(line);
        Console.WriteLine();
        Console.WriteLine($"samples used per query: {result.MeanSamplesUsed:F2}");
        if (result.Costs is CostReport costs)
            Console.WriteLine($"cost per 1,000 queries (USD, from the prices): avengers {costs.Avengers * 1000:F4}, best single {costs.BestSingle * 1000:F4}{(costs.Alpha is double a2 ? $" (alpha {a2})" : "")}; " +
                string.Join(", ", costs.Models.Select(m => $"{m.Key} {m.Value * 1000:F4}")));
        PrintUnreadable(result);
        Console.WriteLine($"avengers {Cell(result.Avengers.Accuracy)} vs best single {Cell(result.BestSingle.Accuracy)} ({result.BestSingle.Model}, chosen on train), random {Cell(result.Random.Accuracy)}, oracle {Cell(result.Oracle.Accuracy)}");
    }

    private static void PrintUnreadable(ExperimentResult result)
    {
        if (result.Unreadable is { Count: > 0 } unreadable && unreadable.Values.Any(u => u.Unreadable > 0))
        {
            Console.WriteLine("responses without a readable answer (train and test):");
            // Wrapped to fit 120 columns.
            string line = " ";
            foreach (string item in unreadable.Select(u => $"{u.Key} {u.Value.Unreadable}/{u.Value.Responses}{(u.Value.Warn ? " (!)" : "")}"))
            {
                if (line.Length + item.Length + 2 > 120) { Console.WriteLine(line.TrimEnd(',')); line = " "; }
                line += " " + item + ",";
            }
            Console.WriteLine(line.TrimEnd(','));
        }
        foreach (string warning in result.Warnings ?? [])
        {
            Console.WriteLine($"warning: {warning}");
            string model = warning[..warning.IndexOf(':')];
            if (result.Unreadable is not null && result.Unreadable.TryGetValue(model, out var report))
                foreach (string example in report.Examples) Console.WriteLine($"  e.g. \"{example}\"");
        }
    }

    private static void PrintOod(IReadOnlyList<OodRow> rows)
    {
        int width = Math.Max(7, rows.Max(r => r.Dataset.Length));
        Console.WriteLine($"| {"dataset".PadRight(width)} | test | in-dist. avengers | in-dist. best single | OOD avengers | OOD best single | OOD gain | OOD ensemble |");
        Console.WriteLine($"|{new string('-', width + 2)}|-----:|------------------:|---------------------:|-------------:|----------------:|---------:|---|");
        foreach (OodRow r in rows)
            Console.WriteLine($"| {r.Dataset.PadRight(width)} | {r.TestItems,4} | {Cell(r.InDistribution),17} | {Cell(r.BestSingle),20} | {Cell(r.OutOfDistribution),12} | {Cell(r.OodBestSingle),15} | {(r.OutOfDistribution - r.OodBestSingle) * 100,7:+0.0;-0.0} | {r.OodPolicy} |");
        double Weighted(Func<OodRow, double> value) => rows.Sum(r => value(r) * r.TestItems) / rows.Sum(r => r.TestItems);
        Console.WriteLine($"| {"all".PadRight(width)} | {rows.Sum(r => r.TestItems),4} | {Cell(Weighted(r => r.InDistribution)),17} | {Cell(Weighted(r => r.BestSingle)),20} | {Cell(Weighted(r => r.OutOfDistribution)),12} | {Cell(Weighted(r => r.OodBestSingle)),15} | {(Weighted(r => r.OutOfDistribution) - Weighted(r => r.OodBestSingle)) * 100,7:+0.0;-0.0} | |");
    }

    private static string Cell(double value) => Avengers.Reporting.ResultsTable.Cell(value);
}
