namespace Avengers.Data;

/// <summary>A loaded benchmark file.</summary>
/// <param name="Source">Path the records were read from.</param>
/// <param name="Records">Records in file order.</param>
/// <param name="DataHash">SHA-256 (hex) of the file's bytes; recorded in artifacts and results.</param>
/// <param name="Models">Every model name that occurs, in ordinal order.</param>
public sealed record Benchmark(string Source, IReadOnlyList<BenchmarkRecord> Records, string DataHash, IReadOnlyList<string> Models);
