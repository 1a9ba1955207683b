namespace Avengers.Evaluation;

/// <summary>The model with the best training accuracy, on every item (no output counts as wrong).</summary>
internal sealed class BestSingleBaseline(string model, double trainAccuracy) : Baseline("best_single")
{
    public string Model { get; } = model;
    public double TrainAccuracy { get; } = trainAccuracy;

    public override double Score(PreparedRecord item, IReadOnlySet<string> available)
    {
        double value = item.Correctness(Model);
        return double.IsNaN(value) ? 0 : value;
    }

    public static BestSingleBaseline ChooseOn(IReadOnlyList<PreparedRecord> train, IReadOnlyList<string> pool)
    {
        string best = pool.OrderByDescending(m => MeanOf(train, m)).ThenBy(m => m, StringComparer.Ordinal).First();
        return new BestSingleBaseline(best, MeanOf(train, best));
    }

    private static double MeanOf(IReadOnlyList<PreparedRecord> records, string model)
    {
        double sum = 0; int count = 0;
        foreach (PreparedRecord record in records)
        {
            double value = record.Correctness(model);
            if (!double.IsNaN(value)) { sum += value; count++; }
        }
        return count == 0 ? 0 : sum / count;
    }
}
