using Avengers.Clustering;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Avengers.Tests.Clustering;

public class KMeansTests
{
    [Fact]
    public void Recovers_planted_clusters()
    {
        var (points, truth) = TestData.PlantedClusters(clusters: 6, perCluster: 80, dimension: 32, noise: 0.05f, seed: 1);
        KMeansResult result = KMeans.Fit(points, new KMeansOptions { K = 6, Seed = 42 });

        // Every planted cluster maps to exactly one found cluster and vice versa.
        var pairs = truth.Zip(result.Labels).Distinct().ToList();
        Assert.Equal(6, pairs.Count);
        Assert.Equal(6, pairs.Select(p => p.First).Distinct().Count());
        Assert.Equal(6, pairs.Select(p => p.Second).Distinct().Count());
    }

    [Fact]
    public void Same_seed_gives_same_result_whatever_the_thread_count()
    {
        var (points, _) = TestData.PlantedClusters(clusters: 10, perCluster: 50, dimension: 24, noise: 0.4f, seed: 2);
        KMeansResult one = KMeans.Fit(points, new KMeansOptions { K = 12, Seed = 7, Threads = 1 });
        KMeansResult two = KMeans.Fit(points, new KMeansOptions { K = 12, Seed = 7, Threads = 2 });
        Assert.Equal(one.Labels, two.Labels);
        Assert.Equal(one.Centroids.Data, two.Centroids.Data);
        Assert.Equal(one.Inertia, two.Inertia);
    }

    [Fact]
    public void Different_seeds_may_differ_but_each_is_stable()
    {
        var (points, _) = TestData.PlantedClusters(clusters: 10, perCluster: 30, dimension: 16, noise: 0.6f, seed: 3);
        var labelings = new List<int[]>();
        for (int seed = 1; seed <= 5; seed++)
        {
            KMeansResult first = KMeans.Fit(points, new KMeansOptions { K = 8, Seed = seed });
            KMeansResult again = KMeans.Fit(points, new KMeansOptions { K = 8, Seed = seed });
            Assert.Equal(first.Labels, again.Labels);   // each seed is stable...
            labelings.Add(first.Labels);
        }
        // ...and the seed matters: on noisy data with K below the planted count, not every seed finds the same partition.
        Assert.True(labelings.Skip(1).Any(l => !l.SequenceEqual(labelings[0])), "five seeds gave identical clusterings");
    }

    [Fact]
    public void Restarts_keep_the_lowest_inertia_and_sometimes_find_a_lower_one()
    {
        var (points, _) = TestData.PlantedClusters(clusters: 20, perCluster: 20, dimension: 16, noise: 0.5f, seed: 4);
        int improved = 0;
        for (int seed = 1; seed <= 8; seed++)
        {
            // Restart 0 is the single run of the same seed, so the best of five can only be as low or lower...
            KMeansResult single = KMeans.Fit(points, new KMeansOptions { K = 16, Seed = seed, Restarts = 1 });
            KMeansResult several = KMeans.Fit(points, new KMeansOptions { K = 16, Seed = seed, Restarts = 5 });
            Assert.True(several.Inertia <= single.Inertia, $"seed {seed}: {several.Inertia} > {single.Inertia}");
            Assert.Equal(several.Restart == 0, several.Inertia == single.Inertia);
            if (several.Inertia < single.Inertia) improved++;
        }
        // ...and the other restarts must actually run: on 20 planted clusters for K = 16 some seed is beaten by another start.
        Assert.True(improved > 0, "no restart ever improved on the first");
    }

    [Fact]
    public void Converged_solution_is_a_fixed_point_of_lloyd()
    {
        var (points, _) = TestData.PlantedClusters(clusters: 8, perCluster: 40, dimension: 16, noise: 0.5f, seed: 6);
        KMeansResult result = KMeans.Fit(points, new KMeansOptions { K = 8, Seed = 3, Tolerance = 0 });
        // Each point's label is its nearest centroid (the Hamerly bounds skipped no needed update).
        for (int i = 0; i < points.Count; i++)
        {
            int nearest = 0; float best = float.MaxValue;
            for (int k = 0; k < 8; k++)
            {
                float d = System.Numerics.Tensors.TensorPrimitives.Distance(points[i], result.Centroids[k]);
                if (d < best) { best = d; nearest = k; }
            }
            float assigned = System.Numerics.Tensors.TensorPrimitives.Distance(points[i], result.Centroids[result.Labels[i]]);
            Assert.True(nearest == result.Labels[i] || Math.Abs(assigned - best) < 1e-5f, $"point {i}: label {result.Labels[i]}, nearest {nearest}");
        }
    }

    [Fact]
    public void No_cluster_is_left_empty()
    {
        // 30 copies of one point and 3 distinct points: K = 4 forces the repair path.
        var data = new List<float>();
        for (int i = 0; i < 30; i++) data.AddRange([1f, 0f, 0f]);
        data.AddRange([0f, 1f, 0f]);
        data.AddRange([0f, 0f, 1f]);
        data.AddRange([0.7f, 0.7f, 0f]);
        KMeansResult result = KMeans.Fit(new VectorSet([.. data], 3), new KMeansOptions { K = 4, Seed = 1 });
        Assert.Equal(4, result.Labels.Distinct().Count());
        Assert.True(result.Inertia < 1e-6, $"inertia {result.Inertia}");
    }

    [Fact]
    public void K_above_point_count_is_a_clear_error()
    {
        var (points, _) = TestData.PlantedClusters(clusters: 2, perCluster: 5, dimension: 4, noise: 0.1f, seed: 7);
        var error = Assert.Throws<ArgumentException>(() => KMeans.Fit(points, new KMeansOptions { K = 11 }));
        Assert.Contains("K = 11 exceeds the number of points (10)", error.Message);
    }

    [Fact]
    public void Invalid_options_are_all_reported_at_once()
    {
        var (points, _) = TestData.PlantedClusters(clusters: 2, perCluster: 5, dimension: 4, noise: 0.1f, seed: 7);
        var error = Assert.Throws<ArgumentException>(() => KMeans.Fit(points, new KMeansOptions { K = 0, Restarts = 0, MaxIterations = 0 }));
        Assert.Contains("K must be at least 1", error.Message);
        Assert.Contains("Restarts must be at least 1", error.Message);
        Assert.Contains("MaxIterations must be at least 1", error.Message);
    }

    [Fact]
    public void Non_finite_input_is_rejected()
    {
        var data = new float[] { 1, 0, float.NaN, 1, 0, 1 };
        var error = Assert.Throws<ArgumentException>(() => KMeans.Fit(new VectorSet(data, 2), new KMeansOptions { K = 2 }));
        Assert.Contains("vector 1", error.Message);
    }

    [Fact]
    public void Inertia_is_within_3_percent_of_ml_net()
    {
        var (points, _) = TestData.PlantedClusters(clusters: 40, perCluster: 50, dimension: 64, noise: 0.8f, seed: 8);
        double ours = KMeans.Fit(points, new KMeansOptions { K = 32, Seed = 42, Restarts = 1 }).Inertia;
        double theirs = MlNetInertia(points, 32);
        Assert.True(ours <= theirs * 1.03, $"ours {ours:F2} vs ML.NET {theirs:F2}");
    }

    internal static double MlNetInertia(VectorSet points, int k)
    {
        var ml = new MLContext(seed: 42);
        var rows = Enumerable.Range(0, points.Count).Select(i => new Row { Features = points[i].ToArray() });
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, points.Dimension);
        IDataView view = ml.Data.LoadFromEnumerable(rows, schema);
        var model = ml.Clustering.Trainers.KMeans(new Microsoft.ML.Trainers.KMeansTrainer.Options
        {
            NumberOfClusters = k,
            InitializationAlgorithm = Microsoft.ML.Trainers.KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
            NumberOfThreads = 1,
        }).Fit(view);
        VBuffer<float>[] centroids = default!;
        model.Model.GetClusterCentroids(ref centroids, out _);
        double inertia = 0;
        for (int i = 0; i < points.Count; i++)
        {
            double best = double.MaxValue;
            foreach (VBuffer<float> c in centroids)
            {
                float[] dense = c.DenseValues().ToArray();
                double d = System.Numerics.Tensors.TensorPrimitives.Distance(points[i], dense);
                best = Math.Min(best, d * d);
            }
            inertia += best;
        }
        return inertia;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }
}
