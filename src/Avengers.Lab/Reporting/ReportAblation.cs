namespace Avengers.Reporting;

/// <summary>A folder written by <c>ablate</c>: its CSV files and plots.</summary>
public sealed record ReportAblation(string Name, string Directory);
