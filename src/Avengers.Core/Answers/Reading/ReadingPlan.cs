namespace Avengers.Answers;

/// <summary>The steps and the ordered readers one answer type is read with: the first reader that finds its form wins.</summary>
public sealed record ReadingPlan(IReadOnlyList<ResponseStep> Steps, IReadOnlyList<AnswerReader> Readers)
{
    /// <summary>Every step and reader name, in order (for diagnostics and documentation).</summary>
    public IEnumerable<string> Names => Steps.Select(s => s.Name).Concat(Readers.Select(r => r.Name));
}
