namespace Avengers.Answers;

/// <summary>A number as written (kept as text so that its value can be compared exactly later).</summary>
internal readonly record struct LiteralNumber(string Text);
