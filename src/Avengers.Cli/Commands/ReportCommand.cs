using System.CommandLine;
using Avengers.Clustering;
using Avengers.Data;
using Avengers.Embedding;
using Avengers.Reporting;
using Avengers.Routing;

namespace Avengers.Cli.Commands;

/// <summary><c>avengers report RESULTS... -o report/ [--router FILE --benchmark FILE_OR_NAME]</c></summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("results") { Description = "experiment --json files and ablate output folders", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "Folder for index.html and report.md", DefaultValueFactory = _ => "report" };
        var outputOld = CliOptions.Hidden<string>("--out");
        var router = new Option<string?>("--router", "-r") { Description = "Router artifact for the cluster browser" };
        var benchmark = new Option<string?>("--benchmark", "-b") { Description = "Benchmark whose training queries fill the cluster browser (with --router)" };
        var cache = CliOptions.Cache();
        var command = new Command("report", "Write a self-contained HTML page and a Markdown twin: per-dataset tables, sweeps, the accuracy-cost front, and a cluster browser")
        {
            inputs, output, outputOld, router, benchmark, cache,
        };
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            var experiments = new List<ReportExperiment>();
            var ablations = new List<ReportAblation>();
            foreach (string input in parse.GetValue(inputs)!)
            {
                if (Directory.Exists(input)) ablations.Add(new ReportAblation(Path.GetFileName(Path.TrimEndingDirectorySeparator(input)), input));
                else if (File.Exists(input)) experiments.Add(ReportBuilder.ReadExperiment(input));
                else throw new FileNotFoundException($"results input not found: {input} (expected an experiment JSON file or an ablate folder)", input);
            }

            IReadOnlyList<ClusterView>? clusters = null;
            string? source = null;
            if (parse.GetValue(router) is string routerPath)
            {
                string name = parse.GetValue(benchmark) ?? throw new ArgumentException("--router needs --benchmark to list member queries");
                RouterArtifact artifact = RouterArtifact.Load(routerPath);
                string file = await BenchmarkCatalog.ResolveAsync(name, false, CliRunner.Info, cancellationToken);
                Benchmark data = BenchmarkReader.Read(file);
                var records = data.Records.Where(r => r.Split is null or "train").ToList();
                string spec = OnnxEmbeddingModel.BuiltIn.FirstOrDefault(p => p.Value.Id == artifact.Manifest.Embedding.Model).Key
                    ?? throw new ArgumentException($"the router uses '{artifact.Manifest.Embedding.Model}', which is not built in");
                using EmbeddingStack stack = await CliRunner.EmbeddingAsync(spec, parse.GetValue(cache), cancellationToken);
                VectorSet vectors = await EmbeddingRunner.EmbedAllAsync(stack.Generator, records.Select(r => r.Query).ToList(), cancellationToken: cancellationToken);
                clusters = ClusterBrowser.Build(artifact, records, vectors);
                source = $"{Path.GetFileName(routerPath)} over {Path.GetFileName(file)}";
            }

            string outDir = CliOptions.Either(parse, output, outputOld)!;
            ReportBuilder.Write(outDir, experiments, ablations, clusters, source);
            Console.WriteLine($"wrote {Path.Combine(outDir, "index.html")} and {Path.Combine(outDir, "report.md")}");
            return 0;
        }));
        return command;
    }
}
