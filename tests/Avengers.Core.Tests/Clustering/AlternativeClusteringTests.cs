using Avengers.Clustering;

namespace Avengers.Tests.Clustering;

public class AlternativeClusteringTests
{
    private static void AssertRecovers(int[] truth, int[] labels, int k)
    {
        var pairs = truth.Zip(labels).Distinct().ToList();
        Assert.Equal(k, pairs.Count);
        Assert.Equal(k, pairs.Select(p => p.First).Distinct().Count());
        Assert.Equal(k, pairs.Select(p => p.Second).Distinct().Count());
    }

    [Theory]
    [InlineData(ClusteringMethod.Ward)]
    [InlineData(ClusteringMethod.Gmm)]
    [InlineData(ClusteringMethod.KMeans)]
    [InlineData(ClusteringMethod.Birch)]
    [InlineData(ClusteringMethod.Spectral)]
    public void Recovers_planted_clusters(string method)
    {
        var (points, truth) = TestData.PlantedClusters(clusters: 5, perCluster: 40, dimension: 24, noise: 0.05f, seed: 21);
        KMeansResult result = ClusteringMethod.Fit(method, points, new KMeansOptions { K = 5, Seed = 3 });
        AssertRecovers(truth, result.Labels, 5);
        Assert.Equal(5, result.Centroids.Count);
    }

    [Fact]
    public void Ward_centres_are_member_means_and_the_result_is_deterministic()
    {
        var (points, _) = TestData.PlantedClusters(clusters: 6, perCluster: 15, dimension: 8, noise: 0.5f, seed: 22);
        KMeansResult a = WardClustering.Fit(points, 6);
        KMeansResult b = WardClustering.Fit(points, 6);
        Assert.Equal(a.Labels, b.Labels);
        for (int t = 0; t < 8; t++)
        {
            double mean = Enumerable.Range(0, points.Count).Where(i => a.Labels[i] == 0).Average(i => points[i][t]);
            Assert.Equal(mean, a.Centroids[0][t], 4);
        }
    }

    [Fact]
    public void Ward_merges_the_closest_pair_first()
    {
        // 0 and 1 are close, 2 and 3 are close, 4 is far from all: with K = 3 the groups are {0,1}, {2,3}, {4}.
        float[] data = [0f, 0f, 0.1f, 0f, 5f, 5f, 5.1f, 5f, 20f, -20f];
        KMeansResult result = WardClustering.Fit(new VectorSet(data, 2), 3);
        Assert.Equal(result.Labels[0], result.Labels[1]);
        Assert.Equal(result.Labels[2], result.Labels[3]);
        Assert.Equal(3, result.Labels.Distinct().Count());
    }

    [Fact]
    public void Birch_subclusters_respect_the_threshold_and_halve_it_when_too_few()
    {
        // Two tight pairs far apart: threshold 0.5 gives 2 subclusters; K = 4 needs the threshold lowered.
        float[] data = [0f, 0f, 0.1f, 0f, 5f, 5f, 5.1f, 5f];
        var points = new VectorSet(data, 2);
        KMeansResult two = BirchClustering.Fit(points, 2);
        Assert.Equal(two.Labels[0], two.Labels[1]);
        Assert.Equal(two.Labels[2], two.Labels[3]);
        Assert.NotEqual(two.Labels[0], two.Labels[2]);

        KMeansResult four = BirchClustering.Fit(points, 4);
        Assert.Equal(4, four.Labels.Distinct().Count());
        Assert.Equal(four.Labels, BirchClustering.Fit(points, 4).Labels); // deterministic

        var duplicates = new VectorSet([1f, 1f, 1f, 1f, 1f, 1f], 2);
        Assert.Contains("distinct points", Assert.Throws<ArgumentException>(() => BirchClustering.Fit(duplicates, 2)).Message);
    }

    [Fact]
    public void Spectral_is_deterministic_for_a_seed_and_centres_are_member_means()
    {
        var (points, _) = TestData.PlantedClusters(clusters: 4, perCluster: 25, dimension: 16, noise: 0.3f, seed: 8);
        KMeansResult a = SpectralClustering.Fit(points, new KMeansOptions { K = 4, Seed = 5 });
        KMeansResult b = SpectralClustering.Fit(points, new KMeansOptions { K = 4, Seed = 5 });
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(4, a.Labels.Distinct().Count());
        for (int t = 0; t < 16; t++)
            Assert.Equal(Enumerable.Range(0, points.Count).Where(i => a.Labels[i] == 1).Average(i => points[i][t]), a.Centroids[1][t], 4);
        Assert.Throws<ArgumentException>(() => SpectralClustering.Fit(points, new KMeansOptions { K = 101 }));
    }

    [Fact]
    public void Unknown_method_is_a_clear_error()
    {
        var (points, _) = TestData.PlantedClusters(clusters: 2, perCluster: 5, dimension: 4, noise: 0.1f, seed: 1);
        var error = Assert.Throws<ArgumentException>(() => ClusteringMethod.Fit("dbscan", points, new KMeansOptions { K = 2 }));
        Assert.Contains("kmeans, ward, gmm, birch, spectral", error.Message);
    }
}
