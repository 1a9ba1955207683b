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

/// <summary>A change made to a response before any reader sees it (cutting a made-up next exercise).</summary>
public sealed record ResponseStep(string Name, string Reason, Func<string, string> Apply)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>What a reader knows besides the response: the answer type, the options of a choice or label query, the rule.</summary>
public sealed record ReadingContext(AnswerType Type, IReadOnlyList<string>? Choices, GradingRule? Rule)
{
    /// <summary>Compare exact and label answers with case (the rule's <c>case_sensitive</c>).</summary>
    public bool CaseSensitive => Rule?.CaseSensitive == true;

    /// <summary>The options of a choice query (0 when unknown: any letter A-Z).</summary>
    public int ChoiceCount => Choices?.Count ?? 0;
}

/// <summary>The steps and the ordered readers one answer type is read with: the first reader that finds its form wins.</summary>
public sealed record ReadingPlan(IReadOnlyList<ResponseStep> Steps, IReadOnlyList<AnswerReader> Readers)
{
    /// <summary>Every step and reader name, in order (for diagnostics and documentation).</summary>
    public IEnumerable<string> Names => Steps.Select(s => s.Name).Concat(Readers.Select(r => r.Name));
}

/// <summary>An answer read from a response, and the reader that found it (null when none did).</summary>
public readonly record struct ReadAnswer(string? Answer, string? Reader)
{
    /// <summary>No reader found an answer.</summary>
    public static ReadAnswer None => default;
}
