using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Avengers.Clustering;
using Avengers.Data;
using Avengers.Voting;
using Microsoft.Extensions.AI;

namespace Avengers.Evaluation;

/// <summary>
/// One-flag-at-a-time sweeps over the experiment: every point is evaluated exactly as
/// <see cref="Experiment"/> does (same split, same seed), appended to <c>&lt;out&gt;/&lt;sweep&gt;.csv</c>
/// as soon as it is done, and skipped when a previous run already wrote it (so a sweep can be resumed).
/// </summary>
public static class Ablation
{
    /// <summary>The header of a sweep's CSV file.</summary>
    public const string CsvHeader = "sweep,value,avengers,best_single,random,label_router,oracle,mean_samples_used,setup,avengers_cost,best_single_cost";

    /// <summary>The sweeps this tool knows, with the values tried by default.</summary>
    public static IReadOnlyList<Sweep> Known(int poolSize) =>
    [
        new("k", ["1", "4", "8", "16", "32", "64", "128", "256"], (o, v) => o with { Calibration = o.Calibration with { K = Int(v) } }),
        new("method", ClusteringMethod.All, (o, v) => o with { Calibration = o.Calibration with { Method = v } }),
        new("select", Enumerable.Range(1, poolSize).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList(), (o, v) => o with { Calibration = o.Calibration with { Select = Int(v) } }),
        new("partitions", ["1", "2", "5", "10", "20"], (o, v) => o with { Calibration = o.Calibration with { Partitions = Int(v) } }),
        new("top-k", ["1", "2", "3", "5", "8"], (o, v) => o with { Calibration = o.Calibration with { TopK = Int(v) } }),
        new("beta", ["1", "3", "6", "10", "20"], (o, v) => o with { Calibration = o.Calibration with { TopK = 3, Beta = double.Parse(v, CultureInfo.InvariantCulture) } }),
        new("strategy", ["direct", "vote", "switch"], (o, v) => o with { Calibration = o.Calibration with { Strategy = EnsembleStrategies.TryParse(v, out var s) ? s : throw new ArgumentException($"unknown strategy {v}") } }),
        new("top-n", ["1", "2", "3", "5", "7", "10"], (o, v) => o with { Calibration = o.Calibration with { TopN = Int(v) } }),
        new("train-fraction", ["0.3", "0.5", "0.7", "0.9"], (o, v) => o with { TrainFraction = double.Parse(v, CultureInfo.InvariantCulture) }),
        // The same setting under other seeds (split when the file has none, k-means, random router): the spread of every number.
        new("seed", Enumerable.Range(1, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList(), (o, v) => o with { Calibration = o.Calibration with { Seed = Int(v) } }),
        new("embedding", ["minilm", "arctic-xs"], (o, _) => o, ChangesEmbedding: true),
        new("alpha", ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"], (o, v) => o.Prices is null
            ? throw new ArgumentException("the alpha sweep needs prices (--prices)")
            : o with { Calibration = o.Calibration with { Alpha = double.Parse(v, CultureInfo.InvariantCulture) } }),
    ];

    /// <param name="embedderFor">Returns the generator and model id for an embedding spec (the sweep "embedding" asks for several).</param>
    /// <param name="onPoint">Called after each point (new or resumed), e.g. to print progress.</param>
    public static async Task<IReadOnlyList<AblationPoint>> RunAsync(Benchmark benchmark, ExperimentOptions baseline, Sweep sweep, IReadOnlyList<string> values,
        string outputDirectory, Func<string, Task<(IEmbeddingGenerator<string, Embedding<float>> Generator, string Id)>> embedderFor, string baseEmbedding,
        Action<AblationPoint, bool>? onPoint = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(outputDirectory);
        string csv = Path.Combine(outputDirectory, sweep.Name + ".csv");
        // One writer per sweep file: a second run on the same folder would interleave rows.
        FileStream writerLock;
        try { writerLock = new FileStream(csv + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose); }
        catch (IOException) { throw new InvalidOperationException($"another ablate run is writing {csv}; wait for it or use another --out folder"); }
        await using var _ = writerLock;
        string setup = SetupHash(benchmark, baseline, baseEmbedding);
        Dictionary<string, AblationPoint> done = ReadCsv(csv).Where(p => p.Setup == setup).ToDictionary(p => p.Value, StringComparer.Ordinal);
        if (!File.Exists(csv)) await IO.AtomicFile.WriteAllTextAsync(csv, CsvHeader + "\n", cancellationToken).ConfigureAwait(false);

        var points = new List<AblationPoint>();
        foreach (string value in values)
        {
            if (done.TryGetValue(value, out AblationPoint? previous))
            {
                points.Add(previous);
                onPoint?.Invoke(previous, true);
                continue;
            }
            ExperimentOptions options = sweep.Apply(baseline, value);
            (IEmbeddingGenerator<string, Embedding<float>> generator, string id) = await embedderFor(sweep.ChangesEmbedding ? value : baseEmbedding).ConfigureAwait(false);
            var (result, _) = await Experiment.RunAsync(benchmark, generator, id, options, null, cancellationToken).ConfigureAwait(false);
            var point = new AblationPoint(sweep.Name, value, result.Avengers.Accuracy, result.BestSingle.Accuracy, result.Random.Accuracy,
                result.LabelRouter.Accuracy, result.Oracle.Accuracy, result.MeanSamplesUsed, setup,
                result.Costs?.Avengers ?? double.NaN, result.Costs?.BestSingle ?? double.NaN);
            await File.AppendAllTextAsync(csv, ToCsv(point) + "\n", cancellationToken).ConfigureAwait(false);
            points.Add(point);
            onPoint?.Invoke(point, false);
        }
        return points;
    }

    /// <summary>Identifies the base configuration a CSV row was computed under (rows of other setups are not reused).</summary>
    public static string SetupHash(Benchmark benchmark, ExperimentOptions baseline, string embedding)
    {
        var c = baseline.Calibration;
        string text = string.Join("|", benchmark.DataHash, embedding, c.K, c.Seed, c.Restarts, c.Method, c.PriorStrength, c.Select, c.Strategy, c.TopN, c.TopK,
            c.Beta.ToString(CultureInfo.InvariantCulture), c.SwitchThreshold.ToString(CultureInfo.InvariantCulture), c.WeightedVote, baseline.TrainFraction.ToString(CultureInfo.InvariantCulture),
            baseline.EmbedChoices, baseline.Adaptive, string.Join(",", baseline.Models ?? []), string.Join(",", baseline.References));
        if (c.Partitions != 1) text += $"|partitions={c.Partitions}";
        if (baseline.Grading != GradingProtocol.Strict) text += $"|grading={baseline.Grading.ToWireName()}";
        if (c.EstimatePrior) text += "|prior=auto";
        if (benchmark.DatasetFilter is { } kept) text += $"|datasets={string.Join(",", kept)}";
        if (c.Alpha is double alpha) text += $"|alpha={alpha.ToString(CultureInfo.InvariantCulture)}";
        if (baseline.Prices is not null)
            text += "|prices=" + string.Join(";", baseline.Prices.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value.InputPerMillion.ToString(CultureInfo.InvariantCulture)}/{p.Value.OutputPerMillion.ToString(CultureInfo.InvariantCulture)}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
    }

    /// <summary>One point as a CSV row.</summary>
    public static string ToCsv(AblationPoint p) => string.Join(",", p.Sweep, p.Value, F(p.Avengers), F(p.BestSingle), F(p.Random), F(p.LabelRouter), F(p.Oracle), F(p.MeanSamplesUsed), p.Setup,
        G(p.AvengersCost), G(p.BestSingleCost));

    /// <summary>Rows of an ablation CSV; a malformed row is an error naming the file and line.</summary>
    public static IReadOnlyList<AblationPoint> ReadCsv(string path)
    {
        if (!File.Exists(path)) return [];
        var points = new List<AblationPoint>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (line == 1 || string.IsNullOrWhiteSpace(text)) continue;
            string[] f = text.Split(',');
            if (f.Length is not (9 or 11)) throw new FormatException($"{path}:{line}: expected 11 comma-separated fields ({CsvHeader}), found {f.Length}");
            double D(int i) => double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
                : throw new FormatException($"{path}:{line}: field {CsvHeader.Split(',')[i]} is not a number: '{f[i]}'");
            points.Add(new AblationPoint(f[0], f[1], D(2), D(3), D(4), D(5), D(6), D(7), f[8], f.Length > 9 ? D(9) : double.NaN, f.Length > 10 ? D(10) : double.NaN));
        }
        return points;
    }

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
    private static string G(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);
}
