namespace Avengers.Reporting;

/// <summary>One system's accuracy overall and per dataset (NaN where it has none).</summary>
public sealed record ResultsRow(ResultsRowKind Kind, string System, double Overall, IReadOnlyList<double> PerDataset);
