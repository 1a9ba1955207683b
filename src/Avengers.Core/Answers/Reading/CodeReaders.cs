namespace Avengers.Answers;

/// <summary>Program text: voted on by the normalised code.</summary>
internal static class CodeReaders
{
    public static readonly IReadOnlyList<AnswerReader> All =
    [
        new("code_block", "the first fenced block (else the whole response), blank lines and trailing spaces dropped", (text, _) => AnswerForms.Code(text)),
    ];
}
