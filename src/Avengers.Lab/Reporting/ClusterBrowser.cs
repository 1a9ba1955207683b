using Avengers.Clustering;
using Avengers.Data;
using Avengers.Routing;
using Avengers.Scoring;

namespace Avengers.Reporting;

/// <summary>Builds the cluster browser: each cluster of an artifact with its ranked models and a few member queries.</summary>
public static class ClusterBrowser
{
    /// <param name="records">Queries to place in clusters (normally the training side), embedded as <paramref name="embeddings"/>.</param>
    public static IReadOnlyList<ClusterView> Build(RouterArtifact artifact, IReadOnlyList<BenchmarkRecord> records, VectorSet embeddings, int examples = 3)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        if (records.Count != embeddings.Count) throw new ArgumentException($"{records.Count} records for {embeddings.Count} embeddings");
        var router = new ClusterRouter(artifact);
        // With several partitions, the browser shows the first clustering.
        var members = new List<BenchmarkRecord>[artifact.Manifest.Clustering.K];
        for (int k = 0; k < members.Length; k++) members[k] = [];
        for (int i = 0; i < records.Count; i++) members[router.Nearest(embeddings[i]).Cluster].Add(records[i]);

        ClusterScores scores = artifact.Scores;
        return Enumerable.Range(0, members.Length).Select(k => new ClusterView(
            k, scores.Sizes[k],
            scores.Ranking(k).ToArray().Where(j => artifact.Manifest.Selected.Contains(scores.Models[j]))
                .Select(j => (scores.Models[j], scores[k, j].Accuracy, scores[k, j].Lower, scores[k, j].Upper, scores[k, j].Answered)).ToList(),
            members[k].OrderBy(r => r.Id, StringComparer.Ordinal).Take(examples).Select(r => r.Query).ToList())).ToList();
    }
}
