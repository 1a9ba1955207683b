namespace Avengers.Evaluation;

/// <summary>The best available model for each item: what a perfect router would reach.</summary>
internal sealed class OracleBaseline() : Baseline("oracle")
{
    public override double Score(PreparedRecord item, IReadOnlySet<string> available) => available.Max(m => item.Correctness(m));
}
