using System.CommandLine;
using Avengers.Data;
using Avengers.Data.Import;

namespace Avengers.Cli.Commands;

/// <summary>
/// <c>avengers import llmrouter|mmlu-pro --source DIR -o FILE.jsonl</c>; <c>avengers import questions FILE [--map ...] -o questions.jsonl</c>;
/// <c>avengers import lm-eval DIR [--filter NAME] -o FILE.jsonl</c>: one subcommand each, with its own help
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var command = new Command("import", "Convert a public benchmark, a question file or lm-evaluation-harness logs into the project's formats");
        foreach (BenchmarkCatalog.Entry entry in BenchmarkCatalog.All) command.Subcommands.Add(Public(entry.Name));
        command.Subcommands.Add(Questions());
        command.Subcommands.Add(LmEval());
        return command;
    }

    /// <summary><c>avengers import llmrouter|mmlu-pro [-b DIR | --download] -o FILE.jsonl</c>: public data with recorded outputs.</summary>
    private static Command Public(string benchmark)
    {
        var source = new Option<string?>("--benchmark", "-b") { Description = $"Folder with the original files (default: <shared benchmarks>/{benchmark})" };
        var sourceOld = CliOptions.Hidden<string?>("--source");
        var output = new Option<string>("--output", "-o") { Description = "JSON Lines file to write", Required = true };
        var download = CliOptions.Download();
        var command = new Command(benchmark, $"Convert the public {benchmark} data (recorded outputs of its models) into the benchmark format") { source, sourceOld, output, download };
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            string? dir = CliOptions.Either(parse, source, sourceOld);
            if (dir is null && parse.GetValue(download))
            {
                dir = Path.Combine(BenchmarkLocator.CacheRoot(), "sources", benchmark);
                CliRunner.Info($"downloading {benchmark} to {dir}");
                await BenchmarkDownloader.DownloadAsync(benchmark, dir, cancellationToken: cancellationToken);
            }
            dir ??= BenchmarkLocator.FindDataRoot() is string root ? Path.Combine(root, benchmark)
                : throw new ArgumentException($"-b not given and no shared benchmark folder found (set {BenchmarkLocator.DataVariable} or pass --download)");
            ImportReport report = BenchmarkCatalog.Import(benchmark, dir, parse.GetValue(output)!);
            Console.WriteLine($"wrote {report.Records} records to {report.OutputPath} ({Count(report.Skipped, "source entry", "source entries")} skipped)");
            foreach (string note in report.Notes) Console.WriteLine($"  {note}");
            return 0;
        }));
        return command;
    }

    /// <summary><c>avengers import questions FILE [--map ...] -o questions.jsonl</c></summary>
    private static Command Questions()
    {
        var file = new Argument<string?>("file") { Description = "The question file: .jsonl, .json (an array), .csv, .tsv or .parquet", Arity = ArgumentArity.ZeroOrOne };
        var source = new Option<string?>("--benchmark", "-b") { Description = "The question file (or give it as the argument)" };
        var sourceOld = CliOptions.Hidden<string?>("--source");
        var map = new Option<string?>("--map") { Description = "target=field pairs, e.g. query=question,gold=answer,choices=options,dataset=subject,id=uid,answer_type=kind" };
        var output = new Option<string>("--output", "-o") { Description = "JSON Lines file of questions for 'collect'", Required = true };
        var command = new Command("questions", "Convert a question file (JSON Lines, JSON array, CSV, TSV or Parquet) into the questions 'collect' asks") { file, source, sourceOld, map, output };
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            string path = parse.GetValue(file) ?? CliOptions.Either(parse, source, sourceOld) ?? throw new ArgumentException("give the question file: avengers import questions FILE -o questions.jsonl");
            var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string pair in CliOptions.SplitList(parse.GetValue(map)) ?? [])
            {
                string[] parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
                if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0) throw new ArgumentException($"--map: expected target=field, found '{pair}'");
                mapping[parts[0]] = parts[1];
            }
            Avengers.Collection.QuestionImportReport questions = await Avengers.Collection.QuestionImporter.ImportAsync(path, parse.GetValue(output)!, mapping, cancellationToken);
            Console.WriteLine($"wrote {Count(questions.Written, "question", "questions")} to {questions.OutputPath} ({Count(questions.Skipped.Count, "row", "rows")} skipped)");
            foreach (string skip in questions.Skipped.Take(20)) Console.WriteLine($"  skipped {skip}");
            if (questions.Skipped.Count > 20) Console.WriteLine($"  ... and {questions.Skipped.Count - 20} more");
            return 0;
        }));
        return command;
    }

    /// <summary><c>avengers import lm-eval DIR [--filter NAME] [--choice-score acc|acc_norm] -o FILE.jsonl</c></summary>
    private static Command LmEval()
    {
        var folder = new Argument<string?>("folder") { Description = "lm-evaluation-harness --log_samples output: one folder per model holding samples_<task>_<time>.jsonl", Arity = ArgumentArity.ZeroOrOne };
        var source = new Option<string?>("--benchmark", "-b") { Description = "The folder (or give it as the argument)" };
        var sourceOld = CliOptions.Hidden<string?>("--source");
        var filter = new Option<string?>("--filter") { Description = "When a task logs several filters (strict-match, flexible-extract): the one to keep (default: the first in the task's log, as lm-eval reports it)" };
        var choiceScore = new Option<string>("--choice-score") { Description = "Multiple-choice tasks: acc (the most likely option) or acc_norm (most likely per character)", DefaultValueFactory = _ => "acc" };
        var output = new Option<string>("--output", "-o") { Description = "Benchmark file to write (JSON Lines)", Required = true };
        var command = new Command("lm-eval", "Convert lm-evaluation-harness per-sample logs (one folder per model) into a benchmark file, without calling any model") { folder, source, sourceOld, filter, choiceScore, output };
        command.SetAction((parse, _) => CliRunner.RunAsync(() =>
        {
            string path = parse.GetValue(folder) ?? CliOptions.Either(parse, source, sourceOld) ?? throw new ArgumentException("give the folder holding one folder of samples_*.jsonl per model: avengers import lm-eval DIR -o FILE.jsonl");
            LmEvalChoiceScore how = parse.GetValue(choiceScore) switch
            {
                "acc" => LmEvalChoiceScore.Acc,
                "acc_norm" => LmEvalChoiceScore.AccNorm,
                var other => throw new ArgumentException($"--choice-score: expected acc or acc_norm, found '{other}'"),
            };
            ImportReport logs = LmEvalImporter.Import(path, parse.GetValue(output)!, parse.GetValue(filter), how);
            Console.WriteLine($"wrote {logs.Records} records to {logs.OutputPath} ({Count(logs.Skipped, "line", "lines")} skipped)");
            foreach (string note in logs.Notes) Console.WriteLine($"  {note}");
            return Task.FromResult(0);
        }));
        return command;
    }

    private static string Count(int n, string one, string many) => $"{n} {(n == 1 ? one : many)}";
}
