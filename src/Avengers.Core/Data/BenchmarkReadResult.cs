namespace Avengers.Data;

/// <summary>A loaded benchmark plus the problems met while reading it (only when skipping was allowed).</summary>
public sealed record BenchmarkReadResult(Benchmark Benchmark, IReadOnlyList<BenchmarkFormatException> Problems);
