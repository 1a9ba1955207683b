namespace Avengers.Answers;

/// <summary>
/// Pulls the final answer out of a model's response and normalises it so that equal answers compare equal. The work is
/// done by the answer type's ordered readers (<see cref="AnswerReaders"/>): the first that finds its form gives the answer.
/// Returns null when none does: such a sample never votes.
/// </summary>
public static class AnswerExtractor
{
    /// <summary>Extracts and normalises the answer of <paramref name="text"/> for a query of <paramref name="type"/>.</summary>
    /// <param name="choices">The options of a choice or label query, when known (limits letters, maps label text).</param>
    /// <param name="rule">The dataset's grading rule, when it has one (a regex, a JSON field, readers, case sensitivity).</param>
    public static string? Extract(string? text, AnswerType type, IReadOnlyList<string>? choices = null, GradingRule? rule = null)
        => Read(text, type, choices, rule).Answer;

    /// <summary>As <see cref="Extract"/>, and which reader found the answer (for diagnostics and the corpus).</summary>
    public static ReadAnswer Read(string? text, AnswerType type, IReadOnlyList<string>? choices = null, GradingRule? rule = null)
    {
        if (string.IsNullOrWhiteSpace(text)) return ReadAnswer.None;
        ReadingPlan plan = AnswerReaders.Resolve(type, rule);
        foreach (ResponseStep step in plan.Steps) text = step.Apply(text);
        var context = new ReadingContext(type, choices, rule);
        foreach (AnswerReader reader in plan.Readers)
            if (reader.Read(text, context) is string answer) return new ReadAnswer(answer, reader.Name);
        return ReadAnswer.None;
    }

    /// <summary>Normalises an answer that was recorded already extracted (the sample's <c>answer</c> field, or a gold answer).</summary>
    public static string? Normalize(string? answer, AnswerType type, IReadOnlyList<string>? choices = null, GradingRule? rule = null)
    {
        if (string.IsNullOrWhiteSpace(answer)) return null;
        bool caseSensitive = rule?.CaseSensitive == true;
        return type switch
        {
            AnswerType.Choice => AnswerForms.ChoiceLetter(answer.Trim(), choices?.Count ?? 0) ?? AnswerForms.ChoiceByText(answer, choices) ?? ReadChoice(answer, choices),
            AnswerType.Math => MathNormalizer.Normalize(answer.LastIndexOf("####", StringComparison.Ordinal) is int hashes and >= 0 ? answer[(hashes + 4)..] : answer),
            AnswerType.Exact => AnswerForms.Exact(answer, caseSensitive),
            AnswerType.Label => AnswerForms.Label(answer, choices, caseSensitive) ?? AnswerForms.Plain(answer, caseSensitive),
            AnswerType.Code => AnswerForms.Code(answer),
            _ => AnswerForms.Plain(answer, caseSensitive),
        };
    }

    /// <summary>A recorded choice answer that is a sentence ("(C) Paris because ..."): the choice readers, without the JSON one.</summary>
    private static string? ReadChoice(string answer, IReadOnlyList<string>? choices)
    {
        var context = new ReadingContext(AnswerType.Choice, choices, null);
        foreach (AnswerReader reader in ChoiceReaders.All)
            if (reader.Read(answer, context) is string letter) return letter;
        return null;
    }
}
