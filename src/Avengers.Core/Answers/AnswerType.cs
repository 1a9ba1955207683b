namespace Avengers.Answers;

/// <summary>How a query's answer is extracted from a response and compared with the gold answer.</summary>
public enum AnswerType
{
    /// <summary>Multiple choice: a letter (A, B, ...).</summary>
    Choice,
    /// <summary>A mathematical result: boxed, "the answer is", "####", numbers and fractions normalised.</summary>
    Math,
    /// <summary>Exact string match after whitespace and case folding.</summary>
    Exact,
    /// <summary>A classification label from a known set (the record's <c>choices</c>).</summary>
    Label,
    /// <summary>Program text; voted on by normalised code text.</summary>
    Code,
    /// <summary>Free text: no reliable vote; graded only by a recorded score.</summary>
    Text,
}
