using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Avengers.Clustering;
using Avengers.Scoring;

namespace Avengers.Routing;

/// <summary>
/// Everything routing needs, in one portable file (a zip): <c>manifest.json</c>, <c>centroids.f32</c>
/// (K x partitions rows of dimension little-endian float32, partition after partition) and <c>scores.json</c> (per-cluster counts per model).
/// Smoothed scores and intervals are recomputed from the counts on load.
/// </summary>
public sealed class RouterArtifact
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // a model without answers in a cluster has NaN cost
    };

    /// <summary>Assembles an artifact; checks that centroids, scores and costs agree with the manifest.</summary>
    public RouterArtifact(RouterManifest manifest, VectorSet centroids, ClusterScores scores, ClusterCosts? costs = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(centroids);
        ArgumentNullException.ThrowIfNull(scores);
        var problems = new List<string>();
        if (centroids.Dimension != manifest.Embedding.Dimension) problems.Add($"centroids have dimension {centroids.Dimension}, manifest says {manifest.Embedding.Dimension}");
        if (centroids.Count != scores.ClusterCount) problems.Add($"{centroids.Count} centroids for {scores.ClusterCount} scored clusters");
        if (manifest.Clustering.Partitions < 1) problems.Add($"partitions must be at least 1 (manifest says {manifest.Clustering.Partitions})");
        else if (centroids.Count != manifest.Clustering.TotalClusters)
            problems.Add($"{centroids.Count} centroids, manifest says K = {manifest.Clustering.K} x {manifest.Clustering.Partitions} partition(s)");
        if (!manifest.Models.SequenceEqual(scores.Models)) problems.Add("manifest models differ from the score table's");
        foreach (string model in manifest.Selected)
            if (!manifest.Models.Contains(model)) problems.Add($"selected model '{model}' is not among the scored models");
        if (manifest.Selected.Count == 0) problems.Add("no model is selected");
        if (manifest.ClusterGradingRules is { } ruleOf)
        {
            int rules = manifest.GradingRules?.Count ?? 0;
            if (ruleOf.Count != centroids.Count) problems.Add($"{ruleOf.Count} cluster grading rules for {centroids.Count} clusters");
            if (ruleOf.Any(r => r < -1 || r >= rules)) problems.Add($"a cluster grading rule refers to none of the {rules} rules");
            if (manifest.GradingRules?.Any(r => r is null) == true) problems.Add("a grading rule is empty");
        }
        if (costs is not null && (costs.ClusterCount != scores.ClusterCount || costs.ModelCount != scores.Models.Count)) problems.Add("cost table does not match the score table");
        if (problems.Count > 0) throw new RouterArtifactException("inconsistent router artifact: " + string.Join("; ", problems));
        Manifest = manifest;
        Centroids = centroids;
        Scores = scores;
        Costs = costs;
    }

    /// <summary>What produced the artifact and how to use it.</summary>
    public RouterManifest Manifest { get; }
    /// <summary>The centroids, K per partition, partition after partition (unit vectors).</summary>
    public VectorSet Centroids { get; }
    /// <summary>Every model's smoothed accuracy in every cluster.</summary>
    public ClusterScores Scores { get; }
    /// <summary>Mean cost per cluster and model, when calibrated with prices (enables cost-aware routing).</summary>
    public ClusterCosts? Costs { get; }

    /// <summary>SHA-256 (hex) of the saved file; set by <see cref="Save"/> and <see cref="Load"/>.</summary>
    public string? FileHash { get; private set; }

    /// <summary>Saves the artifact (a zip of the manifest, centroids, scores and checksums), atomically.</summary>
    public void Save(string path)
    {
        string full = Path.GetFullPath(path);
        (int[] answered, double[] correct) = Scores.Counts();
        var table = new ScoreTable(Scores.Sizes.ToArray(), Enumerable.Range(0, Scores.ClusterCount).Select(k => new ClusterCounts(
            answered.AsSpan(k * Scores.Models.Count, Scores.Models.Count).ToArray(),
            correct.AsSpan(k * Scores.Models.Count, Scores.Models.Count).ToArray(),
            Costs?.Values.AsSpan(k * Scores.Models.Count, Scores.Models.Count).ToArray())).ToArray());
        var entries = new (string Name, byte[] Bytes)[]
        {
            ("manifest.json", JsonSerializer.SerializeToUtf8Bytes(Manifest, Json)),
            ("centroids.f32", MemoryMarshal.AsBytes(Centroids.Data.AsSpan()).ToArray()),
            ("scores.json", JsonSerializer.SerializeToUtf8Bytes(table, Json)),
        };
        // Checksums of every entry: a flipped bit anywhere in the content fails the load instead of routing on it.
        var checksums = entries.ToDictionary(e => e.Name, e => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(e.Bytes)), StringComparer.Ordinal);
        IO.AtomicFile.Write(full, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (name, bytes) in entries) WriteEntry(zip, name, s => s.Write(bytes));
            WriteEntry(zip, ChecksumsEntry, s => JsonSerializer.Serialize(s, checksums, Json));
        });
        FileHash = HashFile(full);
    }

    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="RouterArtifactException">Not an artifact, another version, or inconsistent content.</exception>
    public static RouterArtifact Load(string path, int? expectedDimension = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"router artifact not found: {path}", path);
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException) { throw new RouterArtifactException($"{path}: not a router artifact (expected a zip with manifest.json)"); }
        using (zip)
        {
            try { return Read(zip, path, expectedDimension); }
            catch (InvalidDataException ex) { throw new RouterArtifactException($"{path}: the archive is damaged ({ex.Message})"); }
        }
    }

    private const string ChecksumsEntry = "checksums.json";

    private static RouterArtifact Read(ZipArchive zip, string path, int? expectedDimension)
    {
        {
            // Artifacts from version 3 on carry SHA-256 checksums of every entry; verify them before reading anything.
            if (zip.GetEntry(ChecksumsEntry) is not null)
            {
                Dictionary<string, string> sums = ReadJson<Dictionary<string, string>>(zip, path, ChecksumsEntry);
                foreach (var (name, expectedSum) in sums.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    string actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ReadBytes(zip, path, name)));
                    if (!string.Equals(actual, expectedSum, StringComparison.OrdinalIgnoreCase))
                        throw new RouterArtifactException($"{path}: {name} is damaged (its SHA-256 does not match {ChecksumsEntry}); recalibrate or restore the file");
                }
                foreach (string required in new[] { "manifest.json", "centroids.f32", "scores.json" })
                    if (!sums.ContainsKey(required)) throw new RouterArtifactException($"{path}: {ChecksumsEntry} has no checksum for {required}");
            }
            RouterManifest manifest = ReadJson<RouterManifest>(zip, path, "manifest.json");
            if (manifest.Format != RouterManifest.FormatName)
                throw new RouterArtifactException($"{path}: manifest.json format is '{manifest.Format}', expected '{RouterManifest.FormatName}'");
            if (manifest.Version is < RouterManifest.OldestReadableVersion or > RouterManifest.CurrentVersion)
                throw new RouterArtifactException($"{path}: artifact version {manifest.Version} is not supported (this build reads versions {RouterManifest.OldestReadableVersion} to {RouterManifest.CurrentVersion}); recalibrate with this version");
            CheckManifest(manifest, path);
            if (expectedDimension is int dimension && dimension != manifest.Embedding.Dimension)
                throw new RouterArtifactException($"{path}: calibrated with {manifest.Embedding.Model} ({manifest.Embedding.Dimension} dimensions) but the embedding model in use has {dimension}");

            byte[] raw = ReadBytes(zip, path, "centroids.f32");
            long expected = (long)manifest.Clustering.TotalClusters * manifest.Embedding.Dimension * sizeof(float);
            if (raw.Length != expected)
                throw new RouterArtifactException($"{path}: centroids.f32 holds {raw.Length} bytes, expected {expected} ({manifest.Clustering.TotalClusters} clusters x {manifest.Embedding.Dimension} float32)");
            var centroids = new VectorSet(MemoryMarshal.Cast<byte, float>(raw).ToArray(), manifest.Embedding.Dimension);
            try { centroids.EnsureFinite("centroids.f32"); }
            catch (ArgumentException ex) { throw new RouterArtifactException($"{path}: {ex.Message}"); }

            for (int c = 0; c < centroids.Count; c++)
                if (System.Numerics.Tensors.TensorPrimitives.Norm(centroids[c]) == 0)
                    throw new RouterArtifactException($"{path}: centroids.f32 row {c} is all zeros (a centroid has no direction)");

            ScoreTable table = ReadJson<ScoreTable>(zip, path, "scores.json");
            int m = manifest.Models.Count, k = manifest.Clustering.TotalClusters;
            if (table.Sizes is null || table.Clusters is null || table.Clusters.Any(c => c is null || c.Answered is null || c.Correct is null))
                throw new RouterArtifactException($"{path}: scores.json needs 'sizes' and 'clusters' with 'answered' and 'correct' for every cluster");
            if (table.Sizes.Length != k || table.Clusters.Length != k || table.Clusters.Any(c => c.Answered.Length != m || c.Correct.Length != m))
                throw new RouterArtifactException($"{path}: scores.json does not match {k} clusters x {m} models");
            var countProblems = new List<string>();
            for (int c = 0; c < k && countProblems.Count < 5; c++)
            {
                if (table.Sizes[c] < 0) countProblems.Add($"clusters[{c}]: negative size {table.Sizes[c]}");
                for (int j = 0; j < m; j++)
                {
                    int a = table.Clusters[c].Answered[j];
                    double right = table.Clusters[c].Correct[j];
                    if (a < 0 || !double.IsFinite(right) || right < 0 || right > a + 1e-9)
                        countProblems.Add($"clusters[{c}] model {manifest.Models[j]}: {right} correct of {a} answered (expected 0 <= correct <= answered)");
                }
            }
            if (countProblems.Count > 0) throw new RouterArtifactException($"{path}: scores.json has impossible counts: {string.Join("; ", countProblems)}");
            var scores = new ClusterScores(manifest.Models, k, table.Sizes,
                table.Clusters.SelectMany(c => c.Answered).ToArray(), table.Clusters.SelectMany(c => c.Correct).ToArray(),
                manifest.Scoring.PriorStrength);
            ClusterCosts? costs = null;
            if (table.Clusters.All(c => c.Cost is not null))
            {
                if (table.Clusters.Any(c => c.Cost!.Length != m)) throw new RouterArtifactException($"{path}: scores.json cost arrays do not have {m} entries");
                costs = new ClusterCosts(k, m, table.Clusters.SelectMany(c => c.Cost!).ToArray());
            }
            return new RouterArtifact(manifest, centroids, scores, costs) { FileHash = HashFile(path) };
        }
    }

    /// <summary>Every field the router needs, present and consistent; one error listing every problem.</summary>
    private static void CheckManifest(RouterManifest manifest, string path)
    {
        var problems = new List<string>();
        if (manifest.Embedding is null) problems.Add("embedding is missing");
        else if (manifest.Embedding.Dimension < 1) problems.Add($"embedding.dimension is {manifest.Embedding.Dimension}, expected at least 1");
        if (manifest.Clustering is null) problems.Add("clustering is missing");
        else
        {
            if (manifest.Clustering.K < 1) problems.Add($"clustering.k is {manifest.Clustering.K}, expected at least 1");
            if (manifest.Clustering.Partitions < 1) problems.Add($"clustering.partitions is {manifest.Clustering.Partitions}, expected at least 1");
        }
        if (manifest.Scoring is null) problems.Add("scoring is missing");
        else if (!double.IsFinite(manifest.Scoring.PriorStrength) || manifest.Scoring.PriorStrength < 0) problems.Add($"scoring.prior_strength is {manifest.Scoring.PriorStrength}, expected a finite number >= 0");
        if (manifest.Defaults is null) problems.Add("defaults is missing");
        if (manifest.Models is null || manifest.Models.Count == 0 || manifest.Models.Any(string.IsNullOrEmpty)) problems.Add("models must be a non-empty list of names");
        if (manifest.Selected is null || manifest.Selected.Count == 0) problems.Add("selected must be a non-empty list of names");
        else if (manifest.Models is not null && manifest.Selected.FirstOrDefault(s => s is null || !manifest.Models.Contains(s)) is { } stray)
            problems.Add($"selected names '{stray}', which is not among models");
        if (problems.Count > 0) throw new RouterArtifactException($"{path}: manifest.json: {string.Join("; ", problems)}");
    }

    private static T ReadJson<T>(ZipArchive zip, string path, string name)
    {
        try { return JsonSerializer.Deserialize<T>(ReadBytes(zip, path, name), Json) ?? throw new RouterArtifactException($"{path}: {name} is empty"); }
        catch (JsonException ex) { throw new RouterArtifactException($"{path}: {name} is malformed at {ex.Path}: {ex.Message}"); }
    }

    private static byte[] ReadBytes(ZipArchive zip, string path, string name)
    {
        ZipArchiveEntry entry = zip.GetEntry(name) ?? throw new RouterArtifactException($"{path}: {name} is missing");
        using Stream stream = entry.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static void WriteEntry(ZipArchive zip, string name, Action<Stream> write)
    {
        ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero); // byte-identical files for identical content
        using Stream stream = entry.Open();
        write(stream);
    }

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    private sealed record ScoreTable(
        [property: JsonPropertyName("sizes")] int[] Sizes,
        [property: JsonPropertyName("clusters")] ClusterCounts[] Clusters);

    private sealed record ClusterCounts(
        [property: JsonPropertyName("answered")] int[] Answered,
        [property: JsonPropertyName("correct")] double[] Correct,
        [property: JsonPropertyName("cost")] double[]? Cost = null);
}
