namespace Avengers.Collection;

/// <summary>What an import wrote and what it skipped, with reasons.</summary>
public sealed record QuestionImportReport(int Written, IReadOnlyList<string> Skipped, string OutputPath);
