namespace Avengers.Answers;

/// <summary>
/// One way of finding the answer in a response: a stable <see cref="Name"/> (what grading rules and the corpus name it
/// by), the <see cref="Reason"/> it exists (the form of response it reads, and where that form comes from), and the
/// function, which returns the answer already normalised for its type, or null when its form is absent.
/// </summary>
public sealed record AnswerReader(string Name, string Reason, Func<string, ReadingContext, string?> Read)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}
