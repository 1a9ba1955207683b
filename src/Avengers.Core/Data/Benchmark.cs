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
}
