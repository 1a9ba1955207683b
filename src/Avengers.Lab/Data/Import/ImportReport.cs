namespace Avengers.Data.Import;

/// <summary>What an import wrote and what it skipped (never silently).</summary>
public sealed record ImportReport(string OutputPath, int Records, int Skipped, IReadOnlyList<string> Notes);
