namespace Avengers.Answers;

/// <summary>
/// Guesses how live responses should be compared when the question's answer type is not known:
/// multiple choice when most samples state a choice letter, math when most end in a boxed or
/// "####" result, exact when most give a JSON answer field, otherwise free text (which is never voted on).
/// </summary>
internal static class AnswerTypeDetector
{
    public static AnswerType Detect(IReadOnlyList<string?> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        int present = texts.Count(t => !string.IsNullOrWhiteSpace(t));
        if (present == 0) return AnswerType.Text;
        int choices = texts.Count(t => t is not null && ChoiceReaders.StatesALetter(t));
        if (2 * choices > present) return AnswerType.Choice;
        int maths = texts.Count(t => t is not null && (t.Contains("\\boxed", StringComparison.Ordinal) || t.Contains("####", StringComparison.Ordinal)));
        if (2 * maths > present) return AnswerType.Math;
        // Answers written as JSON ({"answer": ...}) compare as literals.
        int structured = texts.Count(t => t is not null && StructuredAnswer.Find(t) is not null);
        if (2 * structured > present) return AnswerType.Exact;
        return AnswerType.Text;
    }
}
