namespace Avengers.Evaluation;

/// <summary>
/// A reference way of answering each test item, scored beside the ensemble in the experiment's table. A score of
/// NaN means the item does not count for this baseline (e.g. a model with no output for it).
/// </summary>
internal abstract class Baseline(string column)
{
    /// <summary>The score board's column.</summary>
    public string Column { get; } = column;

    /// <param name="available">The pool models with a gradable output for the item.</param>
    public abstract double Score(PreparedRecord item, IReadOnlySet<string> available);
}
