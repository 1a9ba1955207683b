namespace Avengers.Evaluation;

/// <summary>A uniformly random available model, averaged over several seeded draws.</summary>
internal sealed class RandomRouterBaseline(int seed, int draws) : Baseline("random")
{
    private readonly Random[] _randoms = Enumerable.Range(0, Math.Max(1, draws)).Select(s => new Random(unchecked(seed + 7919 * (s + 1)))).ToArray();

    public override double Score(PreparedRecord item, IReadOnlySet<string> available)
    {
        string[] candidates = available.Order(StringComparer.Ordinal).ToArray();
        double sum = 0;
        foreach (Random random in _randoms) sum += item.Correctness(candidates[random.Next(candidates.Length)]);
        return sum / _randoms.Length;
    }
}
