namespace Avengers.Testbed.Faults;

/// <summary>Settings of <see cref="FaultMatrix"/>.</summary>
public sealed record FaultMatrixOptions
{
    public IReadOnlyList<string> Faults { get; init; } = FaultBackend.Faults;
    public IReadOnlyList<string> Strategies { get; init; } = ["direct", "vote", "switch"];
    public IReadOnlyList<bool> Streams { get; init; } = [false, true];
    /// <summary>"alone": the faulty backend is the only one; "pool": a healthy backend is ranked after it.</summary>
    public IReadOnlyList<string> Pools { get; init; } = ["alone", "pool"];
    public int RequestsPerCell { get; init; } = 3;
    public double BackendTimeoutSeconds { get; init; } = 2;
    public double RequestTimeoutSeconds { get; init; } = 8;
    /// <summary>How far past the deadline an answer may come before it counts as bad (process and network scheduling).</summary>
    public double DeadlineGraceSeconds { get; init; } = 2;
}
