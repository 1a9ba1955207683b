using Avengers.Clustering;
using System.Numerics.Tensors;
using Avengers.Scoring;

namespace Avengers.Routing;

/// <summary>
/// Routes an embedded query: cosine similarity to every centroid, then the models ranked by their
/// accuracy in the nearest cluster (or a softmax-weighted blend of the top_k nearest). With several
/// partitions (independent clusterings), each contributes its own nearest cluster(s) with equal weight, except that
/// the clusters in which live feedback found a model changed hold at least half of that model's score.
/// Thread-safe.
/// </summary>
public sealed class ClusterRouter
{
    private readonly float[] _unitCentroids;
    private readonly int _dimension;
    private readonly int[] _selected;
    private readonly int _k;
    private readonly int _partitions;
    private readonly CentroidScreen? _screen;

    /// <summary>Prepares routing over the artifact's centroids and scores.</summary>
    public ClusterRouter(RouterArtifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        Artifact = artifact;
        _dimension = artifact.Centroids.Dimension;
        _k = artifact.Manifest.Clustering.K;
        _partitions = artifact.Manifest.Clustering.Partitions;
        _unitCentroids = (float[])artifact.Centroids.Data.Clone();
        for (int k = 0; k < artifact.Scores.ClusterCount; k++)
        {
            Span<float> row = _unitCentroids.AsSpan(k * _dimension, _dimension);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0) TensorPrimitives.Divide(row, norm, row);
        }
        if (CentroidScreen.IsSupported) _screen = new CentroidScreen(_unitCentroids, _dimension, _k, _partitions);
        var index = artifact.Scores.Models.Select((m, i) => (m, i)).ToDictionary(p => p.m, p => p.i, StringComparer.Ordinal);
        _selected = artifact.Manifest.Selected.Select(m => index[m]).ToArray();
    }

    /// <summary>The artifact this router routes with.</summary>
    public RouterArtifact Artifact { get; }

    /// <summary>
    /// Whether similarities go through the 8-bit screen when the processor has it (the default; same result as the
    /// exact pass over every centroid, which false forces).
    /// </summary>
    internal bool UseScreen { get; init; } = true;

    /// <summary>Live feedback added to the calibrated counts when ranking (null: calibration alone).</summary>
    public LiveEvidence? Live { get; init; }

    /// <summary>Nearest centroid by cosine within one partition (the first by default); ties go to the lower cluster index.</summary>
    public (int Cluster, float Similarity) Nearest(ReadOnlySpan<float> query, int partition = 0)
    {
        CheckDimension(query);
        if ((uint)partition >= (uint)_partitions) throw new ArgumentOutOfRangeException(nameof(partition), partition, $"the router has {_partitions} partition(s)");
        int best = partition * _k;
        float bestSimilarity = float.NegativeInfinity;
        for (int k = partition * _k, end = k + _k; k < end; k++)
        {
            float similarity = TensorPrimitives.Dot(query, _unitCentroids.AsSpan(k * _dimension, _dimension));
            if (similarity > bestSimilarity) { bestSimilarity = similarity; best = k; }
        }
        return (best, bestSimilarity);
    }

    /// <exception cref="ArgumentException">The query's dimension differs from the artifact's, or no selected model is available.</exception>
    public RoutingDecision Route(ReadOnlySpan<float> query, RoutingOptions? options = null)
    {
        options ??= DefaultOptions;
        ClusterScores scores = Artifact.Scores;
        int[] candidates = options.Available is null ? _selected : Available(scores, options.Available);
        if (candidates.Length == 0)
            throw new ArgumentException($"none of the router's models ({string.Join(", ", Artifact.Manifest.Selected)}) is available");

        ClusterMatch[] clusters = MatchClusters(query, options.TopK <= 1 ? 1 : Math.Min(options.TopK, _k), options.Beta);

        int nearest = clusters[0].Cluster;
        var keyed = new (double Score, int Model)[candidates.Length];
        if (options.Alpha is double alpha)
        {
            ClusterCosts costs = Artifact.Costs ?? throw new ArgumentException("cost-aware routing (alpha) needs a router calibrated with prices");
            foreach (ClusterMatch match in clusters) AddCostAware(match, alpha, candidates, scores, costs, keyed);
        }
        else
        {
            LiveEvidence? live = Live is { Any: true } l ? l : null;
            long now = live?.NowTicks ?? 0; // one clock read per decision, not one per cell
            for (int c = 0; c < candidates.Length; c++)
            {
                double score = 0, changedScore = 0, changedWeight = 0;
                foreach (ClusterMatch match in clusters)
                {
                    bool changed = false;
                    double smoothed = live is null ? scores[match.Cluster, candidates[c]].Smoothed : live.Smoothed(scores, match.Cluster, candidates[c], now, out changed);
                    score += match.Weight * smoothed;
                    if (changed) (changedScore, changedWeight) = (changedScore + match.Weight * smoothed, changedWeight + match.Weight);
                }
                // Where the model was found changed in some of the query's clusters, those weigh at least half of its
                // score: the partitions whose cells mix the changed questions with others must not outvote the finding
                // by their number.
                if (changedWeight > 0 && changedWeight < ChangedShare)
                    score = ChangedShare * changedScore / changedWeight + (1 - ChangedShare) * (score - changedScore) / (1 - changedWeight);
                keyed[c] = (score, candidates[c]);
            }
        }
        // Best score first; ties go to the better global accuracy, then the name (ordinal).
        // (An insertion sort: a handful of models, and no comparison delegate to allocate per decision.)
        for (int i = 1; i < keyed.Length; i++)
        {
            (double Score, int Model) item = keyed[i];
            int at = i;
            while (at > 0 && Before(item, keyed[at - 1], scores)) { keyed[at] = keyed[at - 1]; at--; }
            keyed[at] = item;
        }
        var ranked = new RankedModel[keyed.Length];
        bool showLive = Live is { Any: true } && options.Alpha is null;
        long shownAt = showLive ? Live!.NowTicks : 0; // one clock read for the side-by-side view as well
        for (int c = 0; c < keyed.Length; c++)
        {
            ModelScore near = scores[nearest, keyed[c].Model];
            ranked[c] = new RankedModel(scores.Models[keyed[c].Model], keyed[c].Score, near.Accuracy, near.Lower, near.Upper, near.Answered);
            if (showLive)
            {
                // Side by side: what calibration alone says, and how much live evidence moved it.
                double calibrated = 0;
                List<int>? changed = null;
                foreach (ClusterMatch match in clusters)
                {
                    calibrated += match.Weight * scores[match.Cluster, keyed[c].Model].Smoothed;
                    if (Live!.Changed(match.Cluster, keyed[c].Model, shownAt)) (changed ??= []).Add(match.Cluster);
                }
                double scale = Live!.ModelScale(keyed[c].Model, shownAt);
                ranked[c] = ranked[c] with
                {
                    CalibratedScore = calibrated, LiveAnswered = Live!.Counts(nearest, keyed[c].Model, shownAt).Answered, ChangedIn = changed,
                    CalibrationScale = scale < 1 ? scale : null,
                };
            }
        }
        return new RoutingDecision(nearest, clusters[0].Similarity, clusters, ranked);
    }

    private static readonly RoutingOptions DefaultOptions = new();

    /// <summary>
    /// The least share of a model's score held by the query's clusters in which it was found changed (see
    /// <see cref="LiveEvidence"/>). All of it lost 3 to 4 points where a mixed cell's finding reached untouched questions;
    /// their routing weight alone (a fifth with five partitions) barely moved the model (docs/findings.md, 13d and 13e).
    /// </summary>
    internal const double ChangedShare = 0.5;

    private static bool Before((double Score, int Model) x, (double Score, int Model) y, ClusterScores scores)
    {
        int byScore = y.Score.CompareTo(x.Score);
        if (byScore != 0) return byScore < 0;
        int byGlobal = scores.GlobalAccuracy(y.Model).CompareTo(scores.GlobalAccuracy(x.Model));
        return byGlobal != 0 ? byGlobal < 0 : string.CompareOrdinal(scores.Models[x.Model], scores.Models[y.Model]) < 0;
    }

    /// <summary>The selected models that are available, in selection order (the same array when all are).</summary>
    private int[] Available(ClusterScores scores, IReadOnlySet<string> available)
    {
        int count = 0;
        foreach (int j in _selected) if (available.Contains(scores.Models[j])) count++;
        if (count == _selected.Length) return _selected;
        var candidates = new int[count];
        count = 0;
        foreach (int j in _selected) if (available.Contains(scores.Models[j])) candidates[count++] = j;
        return candidates;
    }

    /// <summary>
    /// Avengers-Pro within one cluster: accuracy min-max normalised over the candidates, cost score
    /// 1 - cost / max cost (a model without cost data scores 0), blended by alpha and weighted by the cluster's weight.
    /// </summary>
    private static void AddCostAware(ClusterMatch match, double alpha, int[] candidates, ClusterScores scores, ClusterCosts costs, (double Score, int Model)[] keyed)
    {
        double minAcc = double.MaxValue, maxAcc = double.MinValue, maxCost = 0;
        foreach (int j in candidates)
        {
            double acc = scores[match.Cluster, j].Smoothed;
            minAcc = Math.Min(minAcc, acc);
            maxAcc = Math.Max(maxAcc, acc);
            double cost = costs[match.Cluster, j];
            if (!double.IsNaN(cost)) maxCost = Math.Max(maxCost, cost);
        }
        for (int c = 0; c < candidates.Length; c++)
        {
            int j = candidates[c];
            double normAcc = maxAcc > minAcc ? (scores[match.Cluster, j].Smoothed - minAcc) / (maxAcc - minAcc) : 1;
            double cost = costs[match.Cluster, j];
            double costScore = double.IsNaN(cost) ? 0 : maxCost > 0 ? 1 - cost / maxCost : 1;
            keyed[c] = (keyed[c].Score + match.Weight * (alpha * normAcc + (1 - alpha) * costScore), j);
        }
    }

    /// <summary>
    /// The top_k clusters of every partition, partition after partition, best first within each. Weights are
    /// softmax(beta * similarity) within a partition, scaled so that each partition contributes 1 / partitions.
    /// </summary>
    private ClusterMatch[] MatchClusters(ReadOnlySpan<float> query, int topK, double beta)
    {
        CheckDimension(query);
        int n = _partitions * topK;
        Span<int> top = n <= 1024 ? stackalloc int[n] : new int[n];
        Span<float> nearest = n <= 1024 ? stackalloc float[n] : new float[n];
        if (!(UseScreen && _screen is not null && _screen.Nearest(query, topK, top, nearest)))
        {
            int count = _k * _partitions;
            Span<float> similarities = count <= 4096 ? stackalloc float[count] : new float[count];
            for (int k = 0; k < count; k++) similarities[k] = TensorPrimitives.Dot(query, _unitCentroids.AsSpan(k * _dimension, _dimension));
            for (int p = 0; p < _partitions; p++)
            {
                Span<int> partitionTop = top.Slice(p * topK, topK);
                TopK.Indices(similarities, p * _k, _k, partitionTop);
                for (int i = 0; i < topK; i++) nearest[p * topK + i] = similarities[partitionTop[i]];
            }
        }

        var matches = new ClusterMatch[n];
        Span<double> weights = stackalloc double[topK];
        double share = 1.0 / _partitions;
        for (int p = 0; p < _partitions; p++)
        {
            int first = p * topK;
            double max = nearest[first], total = 0;
            for (int i = 0; i < topK; i++) { weights[i] = topK == 1 ? 1 : Math.Exp(beta * (nearest[first + i] - max)); total += weights[i]; }
            for (int i = 0; i < topK; i++) matches[first + i] = new ClusterMatch(top[first + i], nearest[first + i], share * weights[i] / total);
        }
        return matches;
    }

    private void CheckDimension(ReadOnlySpan<float> query)
    {
        if (query.Length != _dimension)
            throw new ArgumentException($"query embedding has {query.Length} dimensions; the router was calibrated with {_dimension} ({Artifact.Manifest.Embedding.Model})");
    }
}
