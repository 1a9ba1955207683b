namespace Avengers.Answers;

/// <summary>Classification labels from a known set (the record's <c>choices</c>): sentiment, entailment, topic.</summary>
internal static class LabelReaders
{
    public static readonly IReadOnlyList<AnswerReader> All =
    [
        new("answer_is", "\"The answer is: Positive.\": the stated label (any text when the label set is unknown)",
            (text, context) => StatedPhrases.FinalAnswer(text) is string phrase ? AnswerForms.Label(phrase, context.Choices, context.CaseSensitive) ?? PlainWithoutLabels(phrase, context) : null),
        new("whole_response", "\"negative\": a response that is only its label (any text when the label set is unknown)",
            (text, context) => AnswerForms.Label(text, context.Choices, context.CaseSensitive) ?? PlainWithoutLabels(text, context)),
        new("one_label_mentioned", "\"I'd say it is clearly positive overall.\": the one label the response mentions as a word (none when it mentions two)",
            (text, context) => OnlyMentioned(text, context.Choices)),
    ];

    private static string? PlainWithoutLabels(string text, ReadingContext context)
        => context.Choices is null or { Count: 0 } ? AnswerForms.Plain(text, context.CaseSensitive) : null;

    private static string? OnlyMentioned(string text, IReadOnlyList<string>? labels)
    {
        if (labels is null || labels.Count == 0) return null;
        string? found = null;
        foreach (string label in labels)
        {
            string wanted = label.Trim();
            if (wanted.Length == 0 || !MentionsWord(text, wanted)) continue;
            string lowered = wanted.ToLowerInvariant();
            if (found is not null && found != lowered) return null;
            found = lowered;
        }
        return found;
    }

    /// <summary>True when <paramref name="word"/> occurs in <paramref name="text"/> (ignoring case) with no letter, digit or _ on either side.</summary>
    private static bool MentionsWord(string text, string word)
    {
        for (int at = text.IndexOf(word, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(word, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            bool before = at == 0 || !IsWordChar(text[at - 1]);
            bool after = at + word.Length >= text.Length || !IsWordChar(text[at + word.Length]);
            if (before && after) return true;
        }
        return false;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
