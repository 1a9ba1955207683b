using Avengers.Data;

namespace Avengers.Evaluation;

/// <summary>Train and test records, with training duplicates of test queries removed.</summary>
/// <param name="Source">"file" when the records carried their split, else "seeded".</param>
/// <param name="RemovedDuplicates">Training records dropped because their query text equals a test query.</param>
public sealed record DatasetSplit(IReadOnlyList<BenchmarkRecord> Train, IReadOnlyList<BenchmarkRecord> Test, string Source, int RemovedDuplicates)
{
    /// <summary>Share of the items that calibrate, unless set (the paper's 70/30).</summary>
    public const double DefaultTrainFraction = 0.7;

    /// <summary>
    /// Uses the records' own split when every record has one; otherwise a seeded per-dataset split
    /// (records ordered by id within a dataset, datasets in ordinal order, one seeded shuffle each).
    /// Exact duplicates of test queries are always removed from the training side.
    /// </summary>
    /// <exception cref="ArgumentException">Only some records carry a split, or the fraction is outside (0, 1).</exception>
    public static DatasetSplit Create(IReadOnlyList<BenchmarkRecord> records, int seed, double trainFraction = DefaultTrainFraction)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (!(trainFraction > 0 && trainFraction < 1)) throw new ArgumentException($"train fraction must lie strictly between 0 and 1 (got {trainFraction})", nameof(trainFraction));
        int withSplit = records.Count(r => r.Split is not null);
        List<BenchmarkRecord> train, test;
        string source;
        if (withSplit == records.Count && records.Count > 0)
        {
            train = records.Where(r => r.Split == "train").ToList();
            test = records.Where(r => r.Split == "test").ToList();
            source = "file";
        }
        else if (withSplit == 0)
        {
            train = [];
            test = [];
            var random = new Random(seed);
            foreach (var group in records.GroupBy(r => r.Dataset, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                BenchmarkRecord[] items = group.OrderBy(r => r.Id, StringComparer.Ordinal).ToArray();
                random.Shuffle(items);
                int trainCount = (int)Math.Round(items.Length * trainFraction, MidpointRounding.AwayFromZero);
                if (items.Length > 1) trainCount = Math.Clamp(trainCount, 1, items.Length - 1);
                train.AddRange(items[..trainCount]);
                test.AddRange(items[trainCount..]);
            }
            source = "seeded";
        }
        else throw new ArgumentException($"{withSplit} of {records.Count} records carry a split: give every record a split, or none");

        var testQueries = new HashSet<string>(test.Select(r => r.Query), StringComparer.Ordinal);
        int before = train.Count;
        train = train.Where(r => !testQueries.Contains(r.Query)).ToList();
        return new DatasetSplit(train, test, source, before - train.Count);
    }
}
