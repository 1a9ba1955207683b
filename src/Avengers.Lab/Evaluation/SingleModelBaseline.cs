namespace Avengers.Evaluation;

/// <summary>One model alone, on the items it answered.</summary>
internal sealed class SingleModelBaseline(string model) : Baseline("model:" + model)
{
    public override double Score(PreparedRecord item, IReadOnlySet<string> available) => item.Correctness(model);
}
