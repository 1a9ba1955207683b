namespace Avengers.Testbed.Faults;

/// <summary>What one cell of the matrix saw.</summary>
public sealed record FaultCell(string Fault, string Pool, string Strategy, bool Stream, int Answered, int CleanErrors, int Bad, double MaxSeconds, string? FirstBad);
