namespace Avengers.Testbed.Faults;

/// <summary>One minute of a soak: resources and latency at its end, outcomes during it.</summary>
public sealed record SoakMinute(int Minute, long Requests, long Answered, long CleanErrors, long Bad, double P50Ms, double P99Ms, double RssMb, int OpenHandles);
