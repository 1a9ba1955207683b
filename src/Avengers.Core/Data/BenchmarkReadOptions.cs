namespace Avengers.Data;

/// <summary>Options for <see cref="BenchmarkReader"/>.</summary>
public sealed record BenchmarkReadOptions
{
    /// <summary>Keep only these models' outputs (null keeps all). Saves memory on wide files.</summary>
    public IReadOnlySet<string>? Models { get; init; }

    /// <summary>Skip malformed records instead of failing; every skip is reported in <see cref="BenchmarkReadResult.Problems"/>.</summary>
    public bool SkipInvalid { get; init; }

    /// <summary>Grading rules to apply (null: the <c>.grading.yaml</c> file beside the benchmark, when there is one).</summary>
    public string? GradingRulesPath { get; init; }
}
