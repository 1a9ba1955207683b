using System.Numerics.Tensors;
using Avengers.Clustering;
using Avengers.Routing;
using Avengers.Scoring;

namespace Avengers.Tests.Routing;

/// <summary>
/// The 8-bit screen must change nothing but speed: every decision equals the exact pass over all centroids, bit for
/// bit, including near-ties, queries that are centroids, midpoints between two centroids, and unnormalised queries.
/// </summary>
public class CentroidScreenTests
{
    private static readonly string[] Models = ["a", "b", "c"];

    private static RouterArtifact Artifact(int k, int partitions, int dimension, float[] centroids, int seed)
    {
        var random = new Random(seed);
        int clusters = k * partitions;
        int[] answered = Enumerable.Repeat(20, clusters * Models.Length).ToArray();
        double[] correct = Enumerable.Range(0, clusters * Models.Length).Select(_ => (double)random.Next(21)).ToArray();
        var scores = new ClusterScores(Models, clusters, Enumerable.Repeat(20, clusters).ToArray(), answered, correct);
        var manifest = new RouterManifest
        {
            Embedding = new("test", dimension),
            Clustering = new("kmeans", k, seed, 1, 0, partitions),
            Data = new("x", "", 20 * clusters, 0),
            Scoring = new(ClusterScores.DefaultPriorStrength),
            Models = Models,
            Selected = Models,
            Defaults = new("vote", 1, 1, 6, 0.8),
        };
        return new RouterArtifact(manifest, new VectorSet(centroids, dimension), scores);
    }

    /// <summary>Centroids around a few directions, as clustered embeddings are: many near neighbours, some near-ties.</summary>
    private static float[] ClusteredCentroids(int count, int dimension, Random random)
    {
        var directions = Enumerable.Range(0, 6).Select(_ => Gaussian(dimension, random)).ToArray();
        var data = new float[count * dimension];
        for (int c = 0; c < count; c++)
        {
            float[] direction = directions[c % directions.Length];
            for (int d = 0; d < dimension; d++) data[c * dimension + d] = direction[d] + 0.35f * (float)NextGaussian(random);
        }
        return data;
    }

    private static float[] Gaussian(int dimension, Random random) => Enumerable.Range(0, dimension).Select(_ => (float)NextGaussian(random)).ToArray();

    private static double NextGaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static IEnumerable<float[]> Queries(float[] centroids, int count, int dimension, Random random)
    {
        for (int i = 0; i < 60; i++)
        {
            int a = random.Next(count), b = random.Next(count);
            var row = new float[dimension];
            switch (i % 5)
            {
                case 0: // a centroid itself
                    Array.Copy(centroids, a * dimension, row, 0, dimension);
                    Normalise(row);
                    break;
                case 1: // the midpoint of two centroids: a tie in exact arithmetic
                    var x = centroids.AsSpan(a * dimension, dimension).ToArray();
                    var y = centroids.AsSpan(b * dimension, dimension).ToArray();
                    Normalise(x);
                    Normalise(y);
                    for (int d = 0; d < dimension; d++) row[d] = x[d] + y[d];
                    Normalise(row);
                    break;
                case 2: // unnormalised, large
                    row = Gaussian(dimension, random).Select(v => v * 40f).ToArray();
                    break;
                default: // near a centroid
                    for (int d = 0; d < dimension; d++) row[d] = centroids[a * dimension + d] + 0.2f * (float)NextGaussian(random);
                    Normalise(row);
                    break;
            }
            yield return row;
        }
    }

    [Theory]
    [InlineData(64, 5, 384)]
    [InlineData(64, 1, 384)]
    [InlineData(13, 3, 30)]     // neither K a multiple of 8 nor the dimension of 4
    [InlineData(4, 2, 8)]
    public void Every_decision_equals_the_exact_pass(int k, int partitions, int dimension)
    {
        var random = new Random(k * 1000 + partitions * 10 + dimension);
        float[] centroids = ClusteredCentroids(k * partitions, dimension, random);
        RouterArtifact artifact = Artifact(k, partitions, dimension, centroids, seed: 7);
        var screened = new ClusterRouter(artifact);
        var exact = new ClusterRouter(artifact) { UseScreen = false };
        foreach (float[] query in Queries(centroids, k * partitions, dimension, random))
        {
            foreach (int topK in new[] { 1, 3, k, k + 2 })
            {
                var options = new RoutingOptions { TopK = topK, Beta = 6 };
                RoutingDecision expected = exact.Route(query, options), actual = screened.Route(query, options);
                Assert.Equal(expected.Clusters, actual.Clusters);
                Assert.Equal(expected.Models.Select(m => (m.Model, m.Score)), actual.Models.Select(m => (m.Model, m.Score)));
            }
        }
    }

    [Fact]
    public void A_query_the_screen_cannot_bound_takes_the_exact_pass()
    {
        float[] centroids = ClusteredCentroids(16, 8, new Random(3));
        RouterArtifact artifact = Artifact(16, 1, 8, centroids, seed: 3);
        var screened = new ClusterRouter(artifact);
        var exact = new ClusterRouter(artifact) { UseScreen = false };
        float[] zero = new float[8];
        Assert.Equal(exact.Route(zero).Clusters, screened.Route(zero).Clusters);
    }

    [Fact]
    public void The_screen_compares_few_centroids_exactly_for_a_query_near_its_cluster()
    {
        if (!CentroidScreen.IsSupported) return; // the exact pass is all there is on this processor
        var random = new Random(11);
        const int k = 64, dimension = 384;
        float[] centroids = ClusteredCentroids(k, dimension, random);
        for (int c = 0; c < k; c++) Normalise(centroids.AsSpan(c * dimension, dimension));
        var screen = new CentroidScreen(centroids, dimension, k, 1);
        var query = new float[dimension];
        for (int d = 0; d < dimension; d++) query[d] = centroids[5 * dimension + d] + 0.05f * (float)NextGaussian(random);
        Normalise(query);
        var nearest = new int[1];
        var similarity = new float[1];
        Assert.True(screen.Nearest(query, 1, nearest, similarity, out int compared));
        Assert.InRange(compared, 1, k / 4);
        Assert.Equal(5, nearest[0]);
        Assert.Equal(TensorPrimitives.Dot(query, centroids.AsSpan(5 * dimension, dimension)), similarity[0]);
    }

    private static void Normalise(Span<float> v)
    {
        double norm = 0;
        foreach (float x in v) norm += (double)x * x;
        norm = Math.Sqrt(norm);
        for (int i = 0; i < v.Length; i++) v[i] = (float)(v[i] / norm);
    }
}
