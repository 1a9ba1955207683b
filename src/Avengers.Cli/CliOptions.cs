using System.CommandLine;
using Avengers.Calibration;
using Avengers.Clustering;
using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Voting;

namespace Avengers.Cli;

/// <summary>Options shared by several verbs, declared once so names and defaults agree everywhere.</summary>
internal static class CliOptions
{
    public static Option<string> Benchmark() => new("--benchmark", "-b")
    {
        Description = "Benchmark file (JSON Lines) or a name: llmrouter, mmlu-pro (converted once from ../shared/benchmarks or $AVENGERS_DATA)",
        Required = true,
    };

    public static Option<string?> Models() => new("--models") { Description = "Comma-separated model pool (default: the benchmark's pool of small models, else every model)" };
    public static Option<string?> Embedding() => new("--embedding") { Description = "minilm (default), arctic-xs, minilm@N (questions cut to N tokens), minilm-static, onnx:MODEL.onnx,VOCAB.txt,mean|cls,DIM, or openai:BASE_URL,MODEL[,DIM]" };
    public static Option<string?> Cache() => new("--cache") { Description = "Embedding cache file (SQLite; default ~/.cache/avengers/embeddings.sqlite); 'none' disables it" };
    public static Option<string?> Datasets() => new("--datasets") { Description = "Comma-separated datasets to keep (default: all): run them as if the file held nothing else, e.g. one task as its own collection" };
    public static Option<bool> SkipInvalid() => new("--skip-invalid") { Description = "Skip malformed records (each is reported) instead of stopping at the first" };
    public static Option<string> Grading() => new("--grading") { Description = "How test responses are graded: strict (an unreadable answer is wrong) or mmlu-pro (the benchmark's published script: its regexes, a random guess counted at 1/options)", DefaultValueFactory = _ => "strict" };
    public static Option<bool> Download() => new("--download") { Description = "Fetch a named benchmark from its public source (pinned commit, checksums) when no local copy exists" };
    public static Option<int> K() => new("--k", "-k") { Description = "Number of clusters", DefaultValueFactory = _ => KMeansOptions.DefaultK };
    public static Option<int> Seed() => new("--seed") { Description = "Seed of every random choice (split, k-means, random baseline)", DefaultValueFactory = _ => KMeansOptions.DefaultSeed };
    public static Option<string> Method() => new("--method") { Description = "Clustering method: kmeans, ward (agglomerative), gmm (diagonal Gaussian mixture), birch or spectral", DefaultValueFactory = _ => ClusteringMethod.KMeans };
    public static Option<int> Partitions() => new("--partitions") { Description = "Independent clusterings (seeds seed, seed+1, ...) whose cluster scores are averaged when routing (1: a single k-means, as published)", DefaultValueFactory = _ => CalibrationOptions.DefaultPartitions };
    public static Option<int> Restarts() => new("--restarts") { Description = "k-means restarts per partition (best inertia wins)", DefaultValueFactory = _ => CalibrationOptions.DefaultRestarts };
    public static Option<string> Prior() => new("--prior") { Description = "Beta prior strength pulling small clusters toward each model's global accuracy (0: raw accuracy), or auto: estimated from the data (empirical Bayes)", DefaultValueFactory = _ => ClusterScores.DefaultPriorStrength.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    public static Option<int?> Select() => new("--select") { Description = "Keep the N best models by automatic selection (default: all)" };
    public static Option<string> Strategy() => new("--strategy") { Description = "auto (chosen by cross-validation on the training side) | direct | vote | switch", DefaultValueFactory = _ => "auto" };
    public static Option<string> TopN() => new("--top-n") { Description = "Models whose samples vote: auto (chosen by cross-validation) or a number", DefaultValueFactory = _ => "auto" };
    public static Option<string> TopK() => new("--top-k") { Description = "Clusters blended per query and partition: auto (1 or 3, by cross-validation) or a number (1: nearest only)", DefaultValueFactory = _ => "auto" };
    public static Option<int> Folds() => new("--folds") { Description = "Folds of the cross-validated ensemble search on the training side", DefaultValueFactory = _ => PolicySearch.DefaultFolds };
    public static Option<double> Beta() => new("--beta") { Description = "Softmax sharpness over cluster similarities when top-k > 1", DefaultValueFactory = _ => RoutingOptions.DefaultBeta };
    public static Option<double?> Alpha() => new("--alpha") { Description = "Cost-aware routing: alpha * accuracy + (1 - alpha) * cost score per cluster (needs prices)" };
    public static Option<string?> Prices() => new("--prices") { Description = "JSON of model -> {input_price, output_price} per million tokens (LLMRouter's default_llm.json shape); default for llmrouter: its own file" };
    public static Option<string> WeightedVote() => new("--weighted-vote") { Description = "Weight each model's votes by its accuracy in the query's cluster: auto (by cross-validation), true or false", DefaultValueFactory = _ => "auto", Arity = ArgumentArity.ZeroOrOne };
    public static Option<double> SwitchThreshold() => new("--switch-threshold") { Description = "Agreement below which model-switch adds the next model", DefaultValueFactory = _ => EnsembleStrategies.DefaultSwitchThreshold };

    /// <summary>Prices from --prices, else the named benchmark's own price file when it has one (LLMRouter), else none.</summary>
    public static IReadOnlyDictionary<string, Avengers.Evaluation.ModelPrice>? ReadPrices(string? path, string benchmarkName)
    {
        if (path is not null) return Avengers.Evaluation.CostModel.ReadPrices(path);
        if (string.Equals(benchmarkName, Avengers.Data.Import.BenchmarkSources.LlmRouter, StringComparison.OrdinalIgnoreCase)
            && Avengers.Data.BenchmarkLocator.FindDataRoot() is string root && File.Exists(Path.Combine(root, "llmrouter", "default_llm.json")))
            return Avengers.Evaluation.CostModel.ReadPrices(Path.Combine(root, "llmrouter", "default_llm.json"));
        return null;
    }

    /// <summary>An old spelling kept working but left out of the help (one vocabulary: -o/--output, --router, --config).</summary>
    public static Option<T> Hidden<T>(string name) => new(name) { Hidden = true };

    /// <summary>The value given with the current spelling, else with the old one, else the current one's default.</summary>
    public static T? Either<T>(ParseResult parse, Option<T> current, Option<T> old)
        => parse.GetResult(current) is { Implicit: false } || parse.GetResult(old) is not { Implicit: false } ? parse.GetValue(current) : parse.GetValue(old);

    public static IReadOnlyList<string>? SplitList(string? text)
        => string.IsNullOrWhiteSpace(text) ? null : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static EnsembleStrategy? ParseStrategy(string text)
        => IsAuto(text) ? null : EnsembleStrategies.TryParse(text, out EnsembleStrategy strategy) ? strategy
           : throw new ArgumentException($"--strategy: unknown strategy '{text}'; expected auto, direct, vote or switch");

    private static bool IsAuto(string? text) => text is null || string.Equals(text.Trim(), "auto", StringComparison.OrdinalIgnoreCase);

    /// <summary>"auto" (null) or a whole number of at least 1.</summary>
    public static int? ParseAutoInt(string? text, string option)
        => IsAuto(text) ? null : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value) && value >= 1 ? value
           : throw new ArgumentException($"{option}: expected auto or a whole number of at least 1, found '{text}'");

    /// <summary>"auto" (null: estimated from the data) or a prior strength of at least 0.</summary>
    public static double? ParsePriorStrength(string? text)
        => IsAuto(text) ? null
           : double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) && value >= 0 ? value
           : throw new ArgumentException($"--prior: expected auto or a number of at least 0, found '{text}'");

    /// <summary>"auto" (null), true or false; the bare flag means true.</summary>
    public static bool? ParseAutoBool(string? text, string option)
        => text is null || text.Length == 0 ? true : IsAuto(text) ? null
           : bool.TryParse(text, out bool value) ? value : throw new ArgumentException($"{option}: expected auto, true or false, found '{text}'");

    /// <summary>The calibration options group, read from a parse result.</summary>
    public sealed class CalibrationGroup
    {
        public Option<int> K { get; } = CliOptions.K();
        public Option<int> Seed { get; } = CliOptions.Seed();
        public Option<int> Restarts { get; } = CliOptions.Restarts();
        public Option<int> Partitions { get; } = CliOptions.Partitions();
        public Option<string> Method { get; } = CliOptions.Method();
        public Option<string> Prior { get; } = CliOptions.Prior();
        public Option<int?> Select { get; } = CliOptions.Select();
        public Option<string> Strategy { get; } = CliOptions.Strategy();
        public Option<string> TopN { get; } = CliOptions.TopN();
        public Option<string> TopK { get; } = CliOptions.TopK();
        public Option<int> Folds { get; } = CliOptions.Folds();
        public Option<double> Beta { get; } = CliOptions.Beta();
        public Option<double> SwitchThreshold { get; } = CliOptions.SwitchThreshold();
        public Option<string> WeightedVote { get; } = CliOptions.WeightedVote();
        public Option<double?> Alpha { get; } = CliOptions.Alpha();

        private bool? WeightedVoteOf(ParseResult parse)
        {
            var result = parse.GetResult(WeightedVote);
            if (result is null || result.Implicit) return null;
            return ParseAutoBool(result.Tokens.Count == 0 ? null : result.Tokens[0].Value, "--weighted-vote");
        }

        public void AddTo(Command command)
        {
            foreach (Option option in new Option[] { K, Seed, Restarts, Partitions, Method, Prior, Select, Strategy, TopN, TopK, Folds, Beta, SwitchThreshold, WeightedVote, Alpha }) command.Options.Add(option);
        }

        public CalibrationOptions Read(ParseResult parse)
        {
            double? prior = ParsePriorStrength(parse.GetValue(Prior)); // null: estimated from the data
            return new()
            {
                K = parse.GetValue(K),
                Seed = parse.GetValue(Seed),
                Restarts = parse.GetValue(Restarts),
                Partitions = parse.GetValue(Partitions),
                Method = parse.GetValue(Method)!,
                PriorStrength = prior ?? ClusterScores.DefaultPriorStrength,
                EstimatePrior = prior is null,
                Select = parse.GetValue(Select),
                Strategy = ParseStrategy(parse.GetValue(Strategy)!),
                TopN = ParseAutoInt(parse.GetValue(TopN), "--top-n"),
                TopK = ParseAutoInt(parse.GetValue(TopK), "--top-k"),
                Folds = parse.GetValue(Folds),
                Beta = parse.GetValue(Beta),
                SwitchThreshold = parse.GetValue(SwitchThreshold),
                WeightedVote = WeightedVoteOf(parse),
                Alpha = parse.GetValue(Alpha),
            };
        }
    }
}
