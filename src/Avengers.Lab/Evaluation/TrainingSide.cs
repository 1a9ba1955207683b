using Avengers.Calibration;
using Avengers.Clustering;
using Avengers.Routing;
using Avengers.Scoring;

namespace Avengers.Evaluation;

/// <summary>
/// The training side as calibration needs it — graded records, the correctness matrix, the costs — built in one
/// place for <c>calibrate</c> and <c>experiment</c> (and <c>ablate</c>, which runs experiments).
/// </summary>
public sealed class TrainingSide
{
    private TrainingSide(PreparedRecord[] records, IReadOnlyList<string> pool, CorrectnessMatrix correctness, double[]? costs)
    {
        Records = records;
        Pool = pool;
        Correctness = correctness;
        Costs = costs;
    }

    public PreparedRecord[] Records { get; }
    public IReadOnlyList<string> Pool { get; }
    public CorrectnessMatrix Correctness { get; }
    /// <summary>Mean cost of each model's recorded samples per item (items x models), when prices were given.</summary>
    public double[]? Costs { get; }

    /// <exception cref="ArgumentException">A pool model has no price while prices are given, or alpha is set without prices.</exception>
    public static TrainingSide Prepare(PreparedRecord[] records, IReadOnlyList<string> pool, IReadOnlyDictionary<string, ModelPrice>? prices, double? alpha)
    {
        var correctness = new CorrectnessMatrix(pool, records.Length);
        for (int i = 0; i < records.Length; i++)
            for (int j = 0; j < pool.Count; j++) correctness[i, j] = records[i].Correctness(pool[j]);

        // Costs: what each model's recorded samples cost, from prices and token counts.
        double[]? costs = null;
        if (prices is not null)
        {
            string[] unpriced = pool.Where(m => !prices.ContainsKey(m)).ToArray();
            if (unpriced.Length > 0) throw new ArgumentException($"no price for model(s) {string.Join(", ", unpriced)}");
            costs = new CostModel(prices).CostMatrix(records.Select(r => r.Record).ToList(), pool);
        }
        else if (alpha is not null) throw new ArgumentException("cost-aware routing (alpha) needs prices");
        return new TrainingSide(records, pool, correctness, costs);
    }

    /// <summary>Stage I on these records: clusters, scores, selection and the cross-validated choice of the ensemble.</summary>
    public CalibrationResult Calibrate(VectorSet embeddings, CalibrationOptions options, RouterManifest.EmbeddingInfo embedding, RouterManifest.DataInfo data)
        => Calibrator.Calibrate(embeddings, Correctness, options, embedding, data, costs: Costs, samples: PreparedRecord.SamplesOf(Records, Pool));
}
