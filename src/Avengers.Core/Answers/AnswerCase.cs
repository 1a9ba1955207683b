namespace Avengers.Answers;

/// <summary>
/// One response-to-answer case: a response as a model wrote it, its answer type, the answer it must read as (null: it
/// must read as no answer), and where the form comes from. Optionally the options, a grading rule, and the reader that
/// must find it.
/// </summary>
public sealed record AnswerCase(int Line, string Response, AnswerType Type, string? Expected, IReadOnlyList<string>? Choices, GradingRule? Rule, string? Reader, string? Source)
{
    /// <summary>Reads the response and compares with the expected answer (normalised as a gold answer is).</summary>
    public AnswerCaseResult Check()
    {
        ReadAnswer read = AnswerExtractor.Read(Response, Type, Choices, Rule);
        string? want = Expected is null ? null : AnswerExtractor.Normalize(Expected, Type, Choices, Rule);
        bool passed = string.Equals(read.Answer, want, StringComparison.Ordinal) && (Reader is null || Reader == read.Reader);
        return new AnswerCaseResult(this, passed, want, read.Answer, read.Reader);
    }
}
