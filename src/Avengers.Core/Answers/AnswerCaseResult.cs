namespace Avengers.Answers;

/// <summary>What a case read as: the normalised expectation, the answer found and the reader that found it.</summary>
public sealed record AnswerCaseResult(AnswerCase Case, bool Passed, string? Wanted, string? Got, string? Reader);
