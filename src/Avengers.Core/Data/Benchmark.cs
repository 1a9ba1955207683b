namespace Avengers.Data;

/// <summary>A loaded benchmark file.</summary>
/// <param name="Source">Path the records were read from.</param>
/// <param name="Records">Records in file order.</param>
/// <param name="DataHash">SHA-256 (hex) of the file's bytes; recorded in artifacts and results.</param>
/// <param name="Models">Every model name that occurs in the records read (those kept when a filter was given), in ordinal order.</param>
public sealed record Benchmark(string Source, IReadOnlyList<BenchmarkRecord> Records, string DataHash, IReadOnlyList<string> Models)
{
    /// <summary>Every model name in the file, kept or not (for messages about a model the file does not have).</summary>
    public IReadOnlyList<string> FileModels { get => field ?? Models; init; }

    /// <summary>The datasets kept by <see cref="WithDatasets"/>, ordinal order (null: the whole file).</summary>
    public IReadOnlyList<string>? DatasetFilter { get; init; }

    /// <summary>
    /// Only the records of the named datasets, as if the file held nothing else (a collection of one task, for
    /// instance); the source names the filter, the data hash stays the file's.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a dataset of the file (the message lists those it has).</exception>
    public Benchmark WithDatasets(IReadOnlyCollection<string> datasets)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        var known = Records.Select(r => r.Dataset).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        string[] unknown = datasets.Where(d => !known.Contains(d, StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"--datasets: {string.Join(", ", unknown.Select(d => $"'{d}'"))} not in {Path.GetFileName(Source)}; its datasets: {string.Join(", ", known)}");
        var keep = new HashSet<string>(datasets, StringComparer.Ordinal);
        var records = Records.Where(r => keep.Contains(r.Dataset)).ToList();
        var models = records.SelectMany(r => r.Outputs.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        List<string> filter = [.. keep.Order(StringComparer.Ordinal)];
        return this with { Source = $"{Source} [datasets: {string.Join(", ", filter)}]", Records = records, Models = models, FileModels = FileModels, DatasetFilter = filter };
    }
}
