namespace Avengers.Answers;

/// <summary>
/// The lengths at which reading an answer changes course: named so that each says why it exists. Every bound keeps a
/// hostile or looping response from costing more than linear time, or keeps prose from voting as if it were an answer.
/// </summary>
public static class AnswerLimits
{
    /// <summary>
    /// A response without any answer marker is its own answer only when it is one line of at most this many characters
    /// ("Paris", "'abc'"): a longer unmarked response is prose, and prose must not vote.
    /// </summary>
    public const int ShortBareAnswer = 60;

    /// <summary>
    /// The last line or a closing code fence is read as a literal only up to this length: a model that ends by dumping a
    /// whole data structure or program has not stated an answer.
    /// </summary>
    public const int LiteralLine = 2_000;

    /// <summary>
    /// A call's stated result ("f('abc') == 'cba'") is searched for only in the last this-many characters: the conclusion
    /// is at the end, and a long looping response would otherwise cost quadratic time.
    /// </summary>
    public const int ConclusionWindow = 4_000;

    /// <summary>Text longer than this is never parsed as one literal (memory; the parser itself is linear).</summary>
    public const int LiteralText = 100_000;

    /// <summary>
    /// A choice statement "closes its paragraph" when at most this many characters of the same line follow it before a
    /// blank line or the end (the <c>ClosesParagraph</c> pattern of the choice readers spells the same number).
    /// </summary>
    public const int ConcludingLineRest = 80;
}
