using System.CommandLine;
using Avengers.Calibration;
using Avengers.Data;
using Avengers.Embedding;
using Avengers.Evaluation;
using Avengers.Reporting;
using Microsoft.Extensions.AI;

namespace Avengers.Cli.Commands;

/// <summary><c>avengers ablate --benchmark NAME --sweeps k,method,... [--out DIR]</c></summary>
internal static class AblateCommand
{
    public static Command Create()
    {
        var benchmark = CliOptions.Benchmark();
        var models = CliOptions.Models();
        var datasets = CliOptions.Datasets();
        var embedding = CliOptions.Embedding();
        var cache = CliOptions.Cache();
        var sweeps = new Option<string>("--sweeps") { Description = "Comma-separated sweeps: k, method, partitions, select, top-k, beta, strategy, top-n, train-fraction, seed, embedding, alpha", DefaultValueFactory = _ => "k,method,select,top-k,strategy,top-n" };
        var values = new Option<string?>("--values") { Description = "Values for a single sweep, comma-separated, or semicolon-separated when values contain commas (e.g. \"minilm;openai:http://host/v1,bge-m3,1024\")" };
        var output = new Option<string?>("--output", "-o") { Description = "Folder for <sweep>.csv and <sweep>.png (default: ablation/<benchmark>)" };
        var outputOld = CliOptions.Hidden<string?>("--out");
        var validation = new Option<bool>("--validation") { Description = "Evaluate on a seeded split of the training side only" };
        var prices = CliOptions.Prices();
        var grading = CliOptions.Grading();
        var group = new CliOptions.CalibrationGroup();
        var command = new Command("ablate", "Sweep one setting at a time, each point evaluated as 'experiment' does; writes CSV and PNG per sweep and resumes where a previous run stopped")
        {
            benchmark, models, datasets, embedding, cache, sweeps, values, output, outputOld, validation, prices, grading,
        };
        group.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            CalibrationOptions calibration = group.Read(parse);
            calibration.Validate();
            string name = parse.GetValue(benchmark)!;
            string file = await BenchmarkCatalog.ResolveAsync(name, false, CliRunner.Info, cancellationToken);
            BenchmarkCatalog.Entry? entry = BenchmarkCatalog.Find(name);
            IReadOnlyList<string>? pool = CliOptions.SplitList(parse.GetValue(models)) ?? entry?.Pool;
            Benchmark data = CliRunner.ReadBenchmark(file, pool?.ToHashSet(StringComparer.Ordinal), skipInvalid: false);
            if (CliOptions.SplitList(parse.GetValue(datasets)) is { Count: > 0 } only) data = data.WithDatasets(only);
            var baseline = new ExperimentOptions
            {
                Models = pool,
                Calibration = calibration,
                ValidationOnly = parse.GetValue(validation),
                Prices = CliOptions.ReadPrices(parse.GetValue(prices), name),
                Grading = GradingProtocols.Parse(parse.GetValue(grading)),
            };

            IReadOnlyList<Sweep> known = Ablation.Known((pool ?? data.Models).Count);
            string[] requested = CliOptions.SplitList(parse.GetValue(sweeps)) is { } list ? [.. list] : [];
            string[] unknown = requested.Where(r => known.All(s => s.Name != r)).ToArray();
            if (unknown.Length > 0) throw new ArgumentException($"--sweeps: unknown sweep(s) {string.Join(", ", unknown)}; known: {string.Join(", ", known.Select(s => s.Name))}");
            string? valueText = parse.GetValue(values);
            IReadOnlyList<string>? overrideValues = valueText is null ? null
                : valueText.Contains(';') ? valueText.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : CliOptions.SplitList(valueText);
            if (overrideValues is not null && requested.Length != 1) throw new ArgumentException("--values applies to exactly one sweep");

            string outDir = CliOptions.Either(parse, output, outputOld) ?? Path.Combine("ablation", Path.GetFileNameWithoutExtension(file) + (data.DatasetFilter is { } kept ? "-" + string.Join("-", kept).Replace(' ', '_') : ""));
            string baseSpec = parse.GetValue(embedding) ?? EmbeddingModelSpec.Default;
            var stacks = new Dictionary<string, EmbeddingStack>(StringComparer.Ordinal);
            try
            {
                async Task<(IEmbeddingGenerator<string, Embedding<float>>, string)> EmbedderFor(string spec)
                {
                    if (!stacks.TryGetValue(spec, out EmbeddingStack? stack))
                        stacks[spec] = stack = await CliRunner.EmbeddingAsync(spec, parse.GetValue(cache), cancellationToken);
                    return (stack.Generator, stack.ModelId);
                }

                foreach (Sweep sweep in known.Where(s => requested.Contains(s.Name)))
                {
                    IReadOnlyList<string> points = overrideValues ?? sweep.Values;
                    Console.WriteLine($"sweep {sweep.Name}: {string.Join(", ", points)}");
                    int index = 0;
                    IReadOnlyList<AblationPoint> results = await Ablation.RunAsync(data, baseline, sweep, points, outDir, EmbedderFor, baseSpec,
                        (p, resumed) => Console.WriteLine($"  [{++index}/{points.Count}] {sweep.Name} = {p.Value,-10} avengers {p.Avengers:F3}  best single {p.BestSingle:F3}  label router {p.LabelRouter:F3}{(resumed ? "  (from a previous run)" : "")}"),
                        cancellationToken);
                    if (sweep.Name == "seed" && results.Count > 1)
                    {
                        static string Spread(IEnumerable<double> values)
                        {
                            double[] v = values.ToArray();
                            double mean = v.Average(), sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
                            return $"{mean:F3} +- {sd:F3} (min {v.Min():F3}, max {v.Max():F3})";
                        }
                        Console.WriteLine($"  over {results.Count} seeds: avengers {Spread(results.Select(p => p.Avengers))}; best single {Spread(results.Select(p => p.BestSingle))}; label router {Spread(results.Select(p => p.LabelRouter))}");
                    }
                    string png = Path.Combine(outDir, sweep.Name + ".png");
                    AblationPlot.Save(sweep.Name, results, png, $"{Path.GetFileNameWithoutExtension(file)}: {sweep.Name}");
                    if (sweep.Name == "alpha")
                    {
                        // Single models on the same plane: one baseline run gives each model's accuracy and cost.
                        var (generator, id) = await EmbedderFor(baseSpec);
                        var (reference, _) = await Experiment.RunAsync(data, generator, id, baseline, null, cancellationToken);
                        var singles = reference.Models.ToDictionary(m => m.Key, m => (m.Value, reference.Costs!.Models[m.Key]));
                        string pareto = Path.Combine(outDir, "pareto.png");
                        AblationPlot.SaveParetoFront(results, singles, pareto, $"{Path.GetFileNameWithoutExtension(file)}: accuracy against cost");
                        Console.WriteLine($"  wrote {pareto}");
                    }
                    Console.WriteLine($"  wrote {Path.Combine(outDir, sweep.Name + ".csv")} and {png}");
                }
            }
            finally
            {
                foreach (EmbeddingStack stack in stacks.Values) stack.Dispose();
            }
            return 0;
        }));
        return command;
    }
}
