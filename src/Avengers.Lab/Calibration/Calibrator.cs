using System.Reflection;
using Avengers.Clustering;
using Avengers.Routing;
using Avengers.Scoring;
using Avengers.Answers;

namespace Avengers.Calibration;

/// <summary>
/// Stage I of the method: cluster the training embeddings, score every model per cluster, select
/// the best models, and package it all as a <see cref="RouterArtifact"/>.
/// </summary>
public static class Calibrator
{
    /// <exception cref="ArgumentException">Options invalid, or embeddings and correctness disagree.</exception>
    public static CalibrationResult Calibrate(VectorSet trainEmbeddings, CorrectnessMatrix correctness, CalibrationOptions options,
        RouterManifest.EmbeddingInfo embedding, RouterManifest.DataInfo data, TimeProvider? time = null, double[]? costs = null,
        CalibrationSamples? samples = null)
    {
        ArgumentNullException.ThrowIfNull(trainEmbeddings);
        ArgumentNullException.ThrowIfNull(correctness);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (trainEmbeddings.Count != correctness.Items)
            throw new ArgumentException($"{trainEmbeddings.Count} embeddings for {correctness.Items} training items");
        if (trainEmbeddings.Count == 0) throw new ArgumentException("no training items to calibrate on");

        var notes = new List<string>();
        int k = options.K;
        if (k > trainEmbeddings.Count)
        {
            notes.Add($"K = {k} exceeds the {trainEmbeddings.Count} training items: capped to {trainEmbeddings.Count}");
            k = trainEmbeddings.Count;
        }

        // One clustering per partition (seeds Seed, Seed + 1, ...); their clusters are stored one block after another.
        int partitionCount = options.Partitions;
        if (partitionCount > 1 && !ClusteringMethod.IsSeeded(options.Method))
        {
            notes.Add($"{options.Method} does not depend on the seed: one partition instead of {partitionCount} identical ones");
            partitionCount = 1;
        }
        var partitions = new KMeansResult[partitionCount];
        for (int p = 0; p < partitions.Length; p++)
            partitions[p] = ClusteringMethod.Fit(options.Method, trainEmbeddings, new KMeansOptions { K = k, Seed = unchecked(options.Seed + p), Restarts = options.Restarts });
        KMeansResult clusters = partitions[0];
        if (options.EstimatePrior)
        {
            options = options with { PriorStrength = ClusterScores.EstimatePriorStrength(correctness, partitions.Select(p => p.Labels).ToArray(), k) };
            notes.Add($"prior strength estimated from the data (empirical Bayes): {options.PriorStrength.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)}");
        }
        ClusterScores scores = partitions.Length == 1
            ? ClusterScores.Compute(correctness, clusters.Labels, k, options.PriorStrength)
            : Stack(partitions.Select(p => ClusterScores.Compute(correctness, p.Labels, k, options.PriorStrength)).ToArray(), options.PriorStrength);
        VectorSet centroids = partitions.Length == 1 ? clusters.Centroids
            : new VectorSet(partitions.SelectMany(p => p.Centroids.Data).ToArray(), clusters.Centroids.Dimension);
        IReadOnlyList<SelectionEntry> selection = ModelSelector.Rank(scores);
        int keep = Math.Min(options.Select ?? selection.Count, selection.Count);
        if (options.Select > selection.Count) notes.Add($"select = {options.Select} exceeds the pool of {selection.Count} models: all are kept");

        var manifest = new RouterManifest
        {
            CreatedUtc = (time ?? TimeProvider.System).GetUtcNow(),
            Tool = $"avengers {typeof(Calibrator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev"}",
            Embedding = embedding,
            Clustering = new RouterManifest.ClusteringInfo(options.Method, k, options.Seed, options.Restarts, clusters.Inertia, partitionCount),
            Data = data,
            Scoring = new RouterManifest.ScoringInfo(options.PriorStrength),
            Models = correctness.Models,
            Selected = selection.Take(keep).Select(e => e.Model).ToList(),
            Defaults = DefaultsOf(PolicySearch.Fallback(options, keep), options),
        };
        ClusterCosts? clusterCosts = costs is null ? null
            : new ClusterCosts(k * partitions.Length, correctness.Models.Count,
                partitions.SelectMany(p => ClusterCosts.Compute(costs, correctness.Models.Count, p.Labels, k).Values).ToArray());
        var artifact = new RouterArtifact(manifest, centroids, scores, clusterCosts);

        // The ensemble configuration: searched by cross-validation when any setting is left to it and the samples are known.
        EnsemblePolicy policy = samples is not null && options.SearchesPolicy && options.Alpha is null
            ? PolicySearch.Run(trainEmbeddings, correctness, samples, partitions.Select(p => p.Labels).ToArray(), artifact, options, options.Folds)
            : PolicySearch.Fallback(options, keep);
        if (options.Alpha is not null && options.SearchesPolicy) notes.Add("cost-aware routing (alpha): the ensemble settings are not searched; unset ones take their defaults");
        (IReadOnlyList<GradingRule>? rules, IReadOnlyList<int>? clusterRules) = RulesOf(samples?.Rules, partitions, k);
        manifest = manifest with
        {
            Defaults = DefaultsOf(policy, options),
            Policy = policy,
            ClusterAnswerTypes = AnswerTypesOf(samples?.AnswerTypes, partitions, k),
            GradingRules = rules,
            ClusterGradingRules = clusterRules,
        };
        return new CalibrationResult(new RouterArtifact(manifest, centroids, scores, clusterCosts), clusters, selection, notes);
    }

    /// <summary>Per cluster, the answer type shared by most of its items (at least the manifest's share), else "".</summary>
    private static IReadOnlyList<string>? AnswerTypesOf(Avengers.Answers.AnswerType[]? types, KMeansResult[] partitions, int k)
        => types is null ? null
            : SharedPerCluster(types.Select(t => (int)t).ToArray(), partitions, k).Select(t => t < 0 ? "" : Answers.AnswerTypes.Names[t]).ToList();

    /// <summary>The distinct rules, and per cluster the one that at least the manifest's share of its items were read by (-1: none).</summary>
    private static (IReadOnlyList<GradingRule>? Rules, IReadOnlyList<int>? PerCluster) RulesOf(GradingRule?[]? itemRules, KMeansResult[] partitions, int k)
    {
        if (itemRules is null || itemRules.All(r => r is null)) return (null, null);
        var distinct = new List<GradingRule>();
        int[] ruleOf = itemRules.Select(r => r is null ? -1 : IndexOrAdd(r)).ToArray();
        return (distinct, SharedPerCluster(ruleOf, partitions, k));

        int IndexOrAdd(GradingRule rule)
        {
            int at = distinct.IndexOf(rule); // rules compare by their settings
            if (at >= 0) return at;
            distinct.Add(rule);
            return distinct.Count - 1;
        }
    }

    /// <summary>
    /// Per cluster of every partition, partition after partition: the value (an index, -1 for none) that at least
    /// <see cref="RouterManifest.AnswerTypeShare"/> of its items have, else -1.
    /// </summary>
    private static List<int> SharedPerCluster(int[] valueOf, KMeansResult[] partitions, int k)
    {
        var result = new List<int>(k * partitions.Length);
        foreach (KMeansResult partition in partitions)
        {
            var counts = new Dictionary<(int Cluster, int Value), int>();
            var sizes = new int[k];
            for (int i = 0; i < partition.Labels.Length; i++)
            {
                sizes[partition.Labels[i]]++;
                if (valueOf[i] >= 0) counts[(partition.Labels[i], valueOf[i])] = counts.GetValueOrDefault((partition.Labels[i], valueOf[i])) + 1;
            }
            var shared = Enumerable.Repeat(-1, k).ToArray();
            foreach (((int cluster, int value), int count) in counts)
                if (count >= RouterManifest.AnswerTypeShare * sizes[cluster]) shared[cluster] = value; // the share is above one half: one value at most
            result.AddRange(shared);
        }
        return result;
    }

    private static RouterManifest.RouterDefaults DefaultsOf(EnsemblePolicy policy, CalibrationOptions options)
        => new(policy.Strategy, policy.TopN, policy.TopK, options.Beta, policy.SwitchThreshold, policy.WeightedVote, options.Alpha);

    /// <summary>The score tables of several partitions as one table, partition after partition.</summary>
    private static ClusterScores Stack(ClusterScores[] parts, double priorStrength)
    {
        var counts = parts.Select(p => p.Counts()).ToArray();
        return new ClusterScores(parts[0].Models, parts.Sum(p => p.ClusterCount), parts.SelectMany(p => p.Sizes).ToArray(),
            counts.SelectMany(c => c.Answered).ToArray(), counts.SelectMany(c => c.Correct).ToArray(), priorStrength);
    }
}
