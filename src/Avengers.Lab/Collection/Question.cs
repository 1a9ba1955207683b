using Avengers.Answers;

namespace Avengers.Collection;

/// <summary>A question to collect answers for.</summary>
public sealed record Question(string Id, string Dataset, string Query, AnswerType AnswerType, string? Gold, IReadOnlyList<string>? Choices);
