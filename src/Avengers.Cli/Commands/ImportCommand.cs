using System.CommandLine;
using Avengers.Data;
using Avengers.Data.Import;

namespace Avengers.Cli.Commands;

/// <summary><c>avengers import llmrouter|mmlu-pro --source DIR -o FILE.jsonl</c></summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("benchmark") { Description = "llmrouter or mmlu-pro" };
        var source = new Option<string?>("--source") { Description = "Folder with the original files (default: <shared benchmarks>/<benchmark>)" };
        var output = new Option<string>("--output", "-o") { Description = "JSON Lines file to write", Required = true };
        var download = CliOptions.Download();
        var command = new Command("import", "Convert a public benchmark into the JSON Lines benchmark format") { name, source, output, download };
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            string benchmark = parse.GetValue(name)!.ToLowerInvariant();
            if (BenchmarkCatalog.Find(benchmark) is null)
                throw new ArgumentException($"unknown benchmark '{benchmark}'; expected {string.Join(" or ", BenchmarkCatalog.All.Select(e => e.Name))}");
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
