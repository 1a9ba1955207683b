using System.IO.Compression;
using Avengers.Calibration;
using Avengers.Routing;
using Avengers.Scoring;

namespace Avengers.Tests.Routing;

public class RouterArtifactTests
{
    internal static CalibrationResult Calibrated(int dimension = 16, int? select = null, int partitions = 1)
    {
        var (points, truth) = TestData.PlantedClusters(clusters: 4, perCluster: 30, dimension: dimension, noise: 0.05f, seed: 11);
        string[] models = ["m-a", "m-b", "m-c"];
        var correctness = new CorrectnessMatrix(models, points.Count);
        for (int i = 0; i < points.Count; i++)
        {
            // Planted cluster 0 and 1 favour m-a, 2 favours m-b, 3 favours m-c; m-c is absent on cluster 0.
            int best = truth[i] switch { 0 or 1 => 0, 2 => 1, _ => 2 };
            for (int j = 0; j < 3; j++) correctness[i, j] = j == best ? 1 : (i % 5 == 0 ? 1 : 0);
            if (truth[i] == 0) correctness[i, 2] = double.NaN;
        }
        return Calibrator.Calibrate(points, correctness, new CalibrationOptions { K = 4, Select = select, Partitions = partitions },
            new RouterManifest.EmbeddingInfo("test-embedding", dimension), new RouterManifest.DataInfo("planted", "00", points.Count, 0));
    }

    [Fact]
    public void Round_trip_keeps_centroids_scores_and_decisions()
    {
        CalibrationResult result = Calibrated();
        string path = Path.Combine(TestData.TempDir(), "router.avengers");
        result.Artifact.Save(path);
        RouterArtifact loaded = RouterArtifact.Load(path, expectedDimension: 16);

        Assert.Equal(result.Artifact.Centroids.Data, loaded.Centroids.Data);
        Assert.Equal(result.Artifact.Manifest.Selected, loaded.Manifest.Selected);
        Assert.Equal(result.Artifact.FileHash, loaded.FileHash);
        for (int k = 0; k < 4; k++)
            for (int j = 0; j < 3; j++) Assert.Equal(result.Artifact.Scores[k, j], loaded.Scores[k, j]);

        var before = new ClusterRouter(result.Artifact);
        var after = new ClusterRouter(loaded);
        var random = new Random(3);
        for (int q = 0; q < 20; q++)
        {
            var query = new float[16];
            TestData.FillUnit(random, query);
            Assert.Equal(before.Route(query).Models.Select(m => m.Model), after.Route(query).Models.Select(m => m.Model));
        }
    }

    [Fact]
    public void Planted_structure_routes_to_the_right_model()
    {
        CalibrationResult result = Calibrated();
        var router = new ClusterRouter(result.Artifact);
        var (points, truth) = TestData.PlantedClusters(clusters: 4, perCluster: 30, dimension: 16, noise: 0.05f, seed: 11);
        for (int i = 0; i < points.Count; i++)
        {
            string expected = truth[i] switch { 0 or 1 => "m-a", 2 => "m-b", _ => "m-c" };
            Assert.Equal(expected, router.Route(points[i]).Models[0].Model);
        }
    }

    [Fact]
    public void Ranks_only_available_models()
    {
        CalibrationResult result = Calibrated();
        var router = new ClusterRouter(result.Artifact);
        var query = result.Artifact.Centroids[0].ToArray();
        RoutingDecision decision = router.Route(query, new RoutingOptions { Available = new HashSet<string> { "m-b", "m-c" } });
        Assert.Equal(2, decision.Models.Count);
        Assert.DoesNotContain(decision.Models, m => m.Model == "m-a");
        var error = Assert.Throws<ArgumentException>(() => router.Route(query, new RoutingOptions { Available = new HashSet<string> { "nope" } }));
        Assert.Contains("none of the router's models", error.Message);
    }

    [Fact]
    public void Soft_routing_weights_sum_to_one_and_favour_the_nearest()
    {
        CalibrationResult result = Calibrated();
        var router = new ClusterRouter(result.Artifact);
        RoutingDecision decision = router.Route(result.Artifact.Centroids[2].ToArray(), new RoutingOptions { TopK = 3, Beta = 6 });
        Assert.Equal(3, decision.Clusters.Count);
        Assert.Equal(1.0, decision.Clusters.Sum(c => c.Weight), 9);
        Assert.Equal(2, decision.Cluster);
        Assert.True(decision.Clusters[0].Weight > decision.Clusters[1].Weight);
    }

    [Fact]
    public void Dimension_mismatch_is_a_clear_error()
    {
        CalibrationResult result = Calibrated();
        string path = Path.Combine(TestData.TempDir(), "router.avengers");
        result.Artifact.Save(path);
        var error = Assert.Throws<RouterArtifactException>(() => RouterArtifact.Load(path, expectedDimension: 384));
        Assert.Contains("16 dimensions", error.Message);
        Assert.Contains("384", error.Message);
        var routeError = Assert.Throws<ArgumentException>(() => new ClusterRouter(result.Artifact).Route(new float[8]));
        Assert.Contains("8 dimensions", routeError.Message);
    }

    [Fact]
    public void Other_version_is_refused()
    {
        CalibrationResult result = Calibrated();
        string path = Path.Combine(TestData.TempDir(), "router.avengers");
        result.Artifact.Save(path);
        RewriteEntry(path, "manifest.json", text => text.Replace("\"version\": 3", "\"version\": 99"));
        var error = Assert.Throws<RouterArtifactException>(() => RouterArtifact.Load(path));
        Assert.Contains("version 99 is not supported", error.Message);
    }

    [Fact]
    public void Version_1_artifacts_still_load_as_one_partition()
    {
        CalibrationResult result = Calibrated();
        string path = Path.Combine(TestData.TempDir(), "router.avengers");
        result.Artifact.Save(path);
        RewriteEntry(path, "manifest.json", text => text.Replace("\"version\": 3", "\"version\": 1").Replace(",\n    \"partitions\": 1", ""));
        RouterArtifact loaded = RouterArtifact.Load(path);
        Assert.Equal(1, loaded.Manifest.Version);
        Assert.Equal(1, loaded.Manifest.Clustering.Partitions);
        var query = new float[16];
        TestData.FillUnit(new Random(5), query);
        Assert.Equal(new ClusterRouter(result.Artifact).Route(query).Models, new ClusterRouter(loaded).Route(query).Models);
    }

    [Fact]
    public void Several_partitions_each_contribute_their_nearest_cluster_with_equal_weight()
    {
        CalibrationResult result = Calibrated(partitions: 3);
        Assert.Equal(12, result.Artifact.Centroids.Count);
        Assert.Equal(3, result.Artifact.Manifest.Clustering.Partitions);
        string path = Path.Combine(TestData.TempDir(), "router.avengers");
        result.Artifact.Save(path);
        var router = new ClusterRouter(RouterArtifact.Load(path));

        var (points, truth) = TestData.PlantedClusters(clusters: 4, perCluster: 30, dimension: 16, noise: 0.05f, seed: 11);
        for (int i = 0; i < points.Count; i += 7)
        {
            RoutingDecision decision = router.Route(points[i]);
            Assert.Equal([0, 1, 2], decision.Clusters.Select(c => c.Cluster / 4).ToArray()); // one cluster from each partition, in order
            Assert.All(decision.Clusters, c => Assert.Equal(1.0 / 3, c.Weight, 9));
            Assert.Equal(router.Nearest(points[i]).Cluster, decision.Cluster);
            Assert.Equal(truth[i] switch { 0 or 1 => "m-a", 2 => "m-b", _ => "m-c" }, decision.Models[0].Model);

            RoutingDecision soft = router.Route(points[i], new RoutingOptions { TopK = 2 });
            Assert.Equal(6, soft.Clusters.Count);
            Assert.Equal(1.0, soft.Clusters.Sum(c => c.Weight), 9);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => router.Nearest(points[0], partition: 3));
    }

    [Fact]
    public void Partitions_out_of_range_are_refused()
        => Assert.Contains("partitions must lie in [1, 64]", Assert.Throws<ArgumentException>(() => new CalibrationOptions { Partitions = 0 }.Validate()).Message);

    [Fact]
    public void Truncated_centroids_are_refused()
    {
        CalibrationResult result = Calibrated();
        string path = Path.Combine(TestData.TempDir(), "router.avengers");
        result.Artifact.Save(path);
        using (ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry("checksums.json")!.Delete(); // as an artifact older than version 3 (with checksums it is "damaged")
            zip.GetEntry("centroids.f32")!.Delete();
            using Stream s = zip.CreateEntry("centroids.f32").Open();
            s.Write(new byte[12]);
        }
        var error = Assert.Throws<RouterArtifactException>(() => RouterArtifact.Load(path));
        Assert.Contains("centroids.f32 holds 12 bytes", error.Message);
    }

    [Fact]
    public void Not_an_artifact_is_refused()
    {
        string path = Path.Combine(TestData.TempDir(), "router.avengers");
        File.WriteAllText(path, "hello");
        Assert.Throws<RouterArtifactException>(() => RouterArtifact.Load(path));
    }

    [Fact]
    public void Every_single_bit_flip_in_the_content_fails_the_load_or_changes_nothing()
    {
        CalibrationResult result = Calibrated();
        string path = Path.Combine(TestData.TempDir(), "router.avengers");
        result.Artifact.Save(path);
        byte[] original = File.ReadAllBytes(path);
        var random = new Random(7);
        int silent = 0, refused = 0;
        for (int flip = 0; flip < 60; flip++)
        {
            byte[] damaged = (byte[])original.Clone();
            int at = random.Next(damaged.Length);
            damaged[at] ^= (byte)(1 << random.Next(8));
            string copy = Path.Combine(TestData.TempDir(), "flipped.avengers");
            File.WriteAllBytes(copy, damaged);
            try
            {
                RouterArtifact loaded = RouterArtifact.Load(copy);
                // Loading is fine only when the flip hit zip metadata the content does not depend on.
                bool same = loaded.Centroids.Data.SequenceEqual(result.Artifact.Centroids.Data)
                    && loaded.Manifest.Selected.SequenceEqual(result.Artifact.Manifest.Selected)
                    && Enumerable.Range(0, 4).All(k => Enumerable.Range(0, 3).All(j => loaded.Scores[k, j] == result.Artifact.Scores[k, j]));
                if (!same) silent++;
            }
            catch (RouterArtifactException) { refused++; }
        }
        Assert.Equal(0, silent);
        Assert.True(refused > 30, $"{refused} of 60 flips refused");
    }

    [Theory]
    [InlineData("manifest.json", "\"models\": [", "\"models\": null, \"x\": [", "models must be a non-empty list")]
    [InlineData("manifest.json", "\"selected\": [", "\"selected\": null, \"x\": [", "selected must be a non-empty list")]
    [InlineData("scores.json", "\"sizes\": [", "\"sizes\": null, \"x\": [", "needs 'sizes' and 'clusters'")]
    [InlineData("scores.json", "\"answered\": [", "\"answered\": [-5, ", "impossible counts")]
    public void Hand_edited_artifacts_with_impossible_content_are_refused_with_a_reason(string entry, string find, string replace, string reason)
    {
        CalibrationResult result = Calibrated();
        string path = Path.Combine(TestData.TempDir(), "router.avengers");
        result.Artifact.Save(path);
        RewriteEntry(path, entry, text =>
        {
            Assert.Contains(find, text);
            int at = text.IndexOf(find, StringComparison.Ordinal);
            string changed = text[..at] + replace + text[(at + find.Length)..];
            // A negative count must replace one, not add one: drop the first original number after the insertion.
            if (replace.EndsWith("-5, ", StringComparison.Ordinal))
            {
                int start = at + replace.Length, end = changed.IndexOfAny([',', ']'], start);
                changed = changed[..start] + changed[(changed[end] == ',' ? end + 1 : end)..].TrimStart();
            }
            return changed;
        });
        var error = Assert.Throws<RouterArtifactException>(() => RouterArtifact.Load(path));
        Assert.Contains(reason, error.Message);
    }

    /// <summary>Edits one entry as an older or hand-made artifact would have it: without the checksums of version 3.</summary>
    internal static void RewriteEntry(string path, string name, Func<string, string> change)
    {
        using ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Update);
        zip.GetEntry("checksums.json")?.Delete();
        ZipArchiveEntry entry = zip.GetEntry(name)!;
        string text;
        using (var reader = new StreamReader(entry.Open())) text = reader.ReadToEnd();
        entry.Delete();
        using var writer = new StreamWriter(zip.CreateEntry(name).Open());
        writer.Write(change(text));
    }
}
