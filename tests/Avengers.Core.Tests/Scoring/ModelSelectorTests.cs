using Avengers.Scoring;

namespace Avengers.Tests.Scoring;

public class ModelSelectorTests
{
    [Fact]
    public void Orders_by_first_places_plus_half_second_places()
    {
        string[] models = ["a", "b", "c", "d"];
        // Four clusters of one item each; rows give each model's correctness.
        double[,] values =
        {
            { 1, 0.9, 0, 0 },  // cluster 0: a first, b second
            { 1, 0.9, 0, 0 },  // cluster 1: a first, b second
            { 0, 1, 0.9, 0 },  // cluster 2: b first, c second
            { 0, 0, 0.9, 1 },  // cluster 3: d first, c second
        };
        var matrix = new CorrectnessMatrix(models, 4);
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) matrix[i, j] = values[i, j];
        ClusterScores scores = ClusterScores.Compute(matrix, [0, 1, 2, 3], 4, priorStrength: 0);

        IReadOnlyList<SelectionEntry> ranked = ModelSelector.Rank(scores);
        // b: 1 + 0.5*2 = 2; a: 2; c: 0 + 0.5*2 = 1; d: 1. a and b tie on points: a has more first places.
        Assert.Equal(["a", "b", "d", "c"], ranked.Select(e => e.Model));
        Assert.Equal(2, ranked[0].FirstPlaces);
        Assert.Equal(["a", "b"], ModelSelector.Select(scores, 2));
        Assert.Equal(4, ModelSelector.Select(scores, 10).Count);
    }

    [Fact]
    public void Same_input_same_order()
    {
        string[] models = ["m1", "m2", "m3"];
        var matrix = new CorrectnessMatrix(models, 3);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) matrix[i, j] = 0.5;
        ClusterScores scores = ClusterScores.Compute(matrix, [0, 1, 2], 3);
        Assert.Equal(["m1", "m2", "m3"], ModelSelector.Select(scores, 3)); // all equal: ordinal names
    }
}
