using System.CommandLine;
using Avengers.Data;
using Avengers.Data.Import;

namespace Avengers.Cli.Commands;

/// <summary>
/// <c>avengers import llmrouter|mmlu-pro --source DIR -o FILE.jsonl</c>; <c>avengers import questions --source FILE [--map ...] -o questions.jsonl</c>;
/// <c>avengers import lm-eval --source DIR -o FILE.jsonl</c>
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("benchmark") { Description = "llmrouter or mmlu-pro (public data with recorded outputs), questions (a question file for 'collect'), or lm-eval (lm-evaluation-harness --log_samples output, one folder per model)" };
        var source = new Option<string?>("--source") { Description = "Folder with the original files (default: <shared benchmarks>/<benchmark>); for questions: the file (.jsonl, .json, .csv, .tsv); for lm-eval: the folder holding one folder per model" };
        var map = new Option<string?>("--map") { Description = "For questions: target=field pairs, e.g. query=question,gold=answer,choices=options,dataset=subject,id=uid" };
        var output = new Option<string>("--output", "-o") { Description = "JSON Lines file to write", Required = true };
        var download = CliOptions.Download();
        var command = new Command("import", "Convert a public benchmark, a question file or lm-evaluation-harness logs into the project's formats") { name, source, output, download, map };
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            string benchmark = parse.GetValue(name)!.ToLowerInvariant();
            if (benchmark == "questions")
            {
                string file = parse.GetValue(source) ?? throw new ArgumentException("--source: the question file to import");
                var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (string pair in CliOptions.SplitList(parse.GetValue(map)) ?? [])
                {
                    string[] parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
                    if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0) throw new ArgumentException($"--map: expected target=field, found '{pair}'");
                    mapping[parts[0]] = parts[1];
                }
                Avengers.Collection.QuestionImportReport questions = await Avengers.Collection.QuestionImporter.ImportAsync(file, parse.GetValue(output)!, mapping, cancellationToken);
                Console.WriteLine($"wrote {questions.Written} questions to {questions.OutputPath} ({questions.Skipped.Count} rows skipped)");
                foreach (string skip in questions.Skipped.Take(20)) Console.WriteLine($"  skipped {skip}");
                if (questions.Skipped.Count > 20) Console.WriteLine($"  ... and {questions.Skipped.Count - 20} more");
                return 0;
            }
            if (benchmark == "lm-eval")
            {
                string folder = parse.GetValue(source) ?? throw new ArgumentException("--source: the folder holding one folder of samples_*.jsonl per model");
                ImportReport logs = LmEvalImporter.Import(folder, parse.GetValue(output)!);
                Console.WriteLine($"wrote {logs.Records} records to {logs.OutputPath} ({logs.Skipped} lines skipped)");
                foreach (string note in logs.Notes) Console.WriteLine($"  {note}");
                return 0;
            }
            if (BenchmarkCatalog.Find(benchmark) is null)
                throw new ArgumentException($"unknown source '{benchmark}'; expected {string.Join(", ", BenchmarkCatalog.All.Select(e => e.Name))}, questions or lm-eval");
            string? dir = parse.GetValue(source);
            if (dir is null && parse.GetValue(download))
            {
                dir = Path.Combine(BenchmarkLocator.CacheRoot(), "sources", benchmark);
                CliRunner.Info($"downloading {benchmark} to {dir}");
                await BenchmarkDownloader.DownloadAsync(benchmark, dir, cancellationToken: cancellationToken);
            }
            dir ??= BenchmarkLocator.FindDataRoot() is string root ? Path.Combine(root, benchmark)
                : throw new ArgumentException($"--source not given and no shared benchmark folder found (set {BenchmarkLocator.DataVariable} or pass --download)");
            ImportReport report = BenchmarkCatalog.Import(benchmark, dir, parse.GetValue(output)!);
            Console.WriteLine($"wrote {report.Records} records to {report.OutputPath} ({report.Skipped} source entries skipped)");
            foreach (string note in report.Notes) Console.WriteLine($"  {note}");
            return 0;
        }));
        return command;
    }
}
