namespace Avengers.Answers;

/// <summary>What a reader knows besides the response: the answer type, the options of a choice or label query, the rule.</summary>
public sealed record ReadingContext(AnswerType Type, IReadOnlyList<string>? Choices, GradingRule? Rule)
{
    /// <summary>Compare exact and label answers with case (the rule's <c>case_sensitive</c>).</summary>
    public bool CaseSensitive => Rule?.CaseSensitive == true;

    /// <summary>The options of a choice query (0 when unknown: any letter A-Z).</summary>
    public int ChoiceCount => Choices?.Count ?? 0;
}
