using Avengers.Scoring;

namespace Avengers.Tests.Scoring;

public class ClusterScoresTests
{
    private static readonly string[] Models = ["alpha", "beta", "gamma"];

    private static CorrectnessMatrix Matrix(double[,] values)
    {
        var m = new CorrectnessMatrix(Models, values.GetLength(0));
        for (int i = 0; i < values.GetLength(0); i++)
            for (int j = 0; j < values.GetLength(1); j++) m[i, j] = values[i, j];
        return m;
    }

    /// <summary>Four clusters of 100 items; model j is right with probability accuracy(cluster, j), seeded.</summary>
    private static (CorrectnessMatrix Matrix, int[] Labels) Planted(Func<int, int, double> accuracy)
    {
        var random = new Random(5);
        var matrix = new CorrectnessMatrix(Models, 400);
        int[] labels = new int[400];
        for (int i = 0; i < 400; i++)
        {
            labels[i] = i / 100;
            for (int j = 0; j < Models.Length; j++) matrix[i, j] = random.NextDouble() < accuracy(labels[i], j) ? 1 : 0;
        }
        return (matrix, labels);
    }

    [Fact]
    public void The_estimated_prior_is_weak_where_clusters_differ_and_strong_where_they_do_not()
    {
        // Each model is strong in its own cluster and weak elsewhere: the clusters tell a lot, so few pseudo-items.
        var (specialised, labels) = Planted((c, j) => c == j ? 0.9 : 0.2);
        double weak = ClusterScores.EstimatePriorStrength(specialised, [labels], 4);
        Assert.InRange(weak, 0, 3);

        // Every cluster alike: any difference between clusters is sampling noise, so the prior is strong.
        var (uniform, sameLabels) = Planted((_, j) => 0.4 + 0.1 * j);
        double strong = ClusterScores.EstimatePriorStrength(uniform, [sameLabels], 4);
        Assert.True(strong > 50, $"estimated {strong}");
    }

    [Fact]
    public void Counts_and_smooths_toward_global_accuracy()
    {
        // Cluster 0: items 0-3; cluster 1: items 4-5.
        var matrix = Matrix(new double[,]
        {
            { 1, 0, 1 }, { 1, 0, 0 }, { 1, 1, 0 }, { 0, 0, 1 },
            { 0, 1, 1 }, { 0, 1, double.NaN },
        });
        int[] labels = [0, 0, 0, 0, 1, 1];
        ClusterScores scores = ClusterScores.Compute(matrix, labels, 2, priorStrength: 2);

        Assert.Equal(0.5, scores.GlobalAccuracy(0), 12);          // alpha: 3 of 6
        Assert.Equal(0.6, scores.GlobalAccuracy(2), 12);          // gamma: 3 of 5 answered
        ModelScore alphaInZero = scores[0, 0];
        Assert.Equal(4, alphaInZero.Answered);
        Assert.Equal(0.75, alphaInZero.Accuracy, 12);
        Assert.Equal((3 + 2 * 0.5) / (4 + 2), alphaInZero.Smoothed, 12);
        ModelScore gammaInOne = scores[1, 2];
        Assert.Equal(1, gammaInOne.Answered);                     // absent on item 5: scored on what exists
        Assert.Equal(1.0, gammaInOne.Accuracy, 12);
        Assert.Equal((1 + 2 * 0.6) / (1 + 2), gammaInOne.Smoothed, 12);
        Assert.InRange(alphaInZero.Accuracy, alphaInZero.Lower, alphaInZero.Upper);
        Assert.True(alphaInZero.Upper - alphaInZero.Lower > 0.3, "4 items leave a wide interval");
    }

    [Fact]
    public void Zero_prior_gives_raw_accuracy_and_strong_prior_gives_global()
    {
        var matrix = Matrix(new double[,] { { 1, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 }, { 0, 1, 0 } });
        int[] labels = [0, 1, 1, 1];
        Assert.Equal(1.0, ClusterScores.Compute(matrix, labels, 2, 0)[0, 0].Smoothed, 12);
        Assert.Equal(0.25, ClusterScores.Compute(matrix, labels, 2, 1e9)[0, 0].Smoothed, 6);
    }

    [Fact]
    public void Ranking_breaks_ties_by_global_accuracy_then_name()
    {
        // In cluster 0 all three score 1/1; globally beta > gamma = alpha... alpha and gamma tie: name decides.
        var matrix = Matrix(new double[,] { { 1, 1, 1 }, { 0, 1, 0 }, { 0, 0, 0 } });
        ClusterScores scores = ClusterScores.Compute(matrix, [0, 1, 1], 2, priorStrength: 0);
        Assert.Equal(new[] { 1, 0, 2 }, scores.Ranking(0).ToArray());
    }

    [Fact]
    public void Rejects_labels_out_of_range()
    {
        var matrix = Matrix(new double[,] { { 1, 1, 1 } });
        var error = Assert.Throws<ArgumentException>(() => ClusterScores.Compute(matrix, [3], 2));
        Assert.Contains("label 3 of item 0", error.Message);
    }

    [Fact]
    public void Correctness_outside_unit_interval_is_rejected()
    {
        var matrix = new CorrectnessMatrix(Models, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix[0, 0] = 1.5);
    }
}
