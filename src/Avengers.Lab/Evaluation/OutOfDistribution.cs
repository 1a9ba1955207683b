using Avengers.Data;
using Microsoft.Extensions.AI;

namespace Avengers.Evaluation;

/// <summary>
/// The paper's out-of-distribution check: for each dataset, calibrate (clusters, scores and the ensemble
/// search) without any of its items and evaluate on its test items, beside the in-distribution number.
/// </summary>
public static class OutOfDistribution
{
    /// <summary>For each dataset: calibrates without any of its items and evaluates on its test items, beside the in-distribution result.</summary>
    /// <param name="benchmark">Records with every model's recorded outputs.</param>
    /// <param name="embedder">Embeds the queries.</param>
    /// <param name="embeddingId">The embedding model's id.</param>
    /// <param name="options">Split, calibration and ensemble settings.</param>
    /// <param name="progress">One line per dataset.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public static async Task<IReadOnlyList<OodRow>> RunAsync(Benchmark benchmark, IEmbeddingGenerator<string, Embedding<float>> embedder, string embeddingId,
        ExperimentOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var (inDistribution, _) = await Experiment.RunAsync(benchmark, embedder, embeddingId, options with { HoldOutDataset = null },
            progress is null ? null : new Progress<StageProgress>(s => { if (s.Note is string note) progress.Report(note); }), cancellationToken).ConfigureAwait(false);
        var rows = new List<OodRow>();
        foreach (string dataset in inDistribution.Datasets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report($"out of distribution: {dataset} ({rows.Count + 1} of {inDistribution.Datasets.Count})");
            var (held, _) = await Experiment.RunAsync(benchmark, embedder, embeddingId, options with { HoldOutDataset = dataset }, cancellationToken: cancellationToken).ConfigureAwait(false);
            rows.Add(new OodRow(dataset, inDistribution.DatasetSizes[dataset],
                inDistribution.Avengers.PerDataset.GetValueOrDefault(dataset, double.NaN), inDistribution.BestSingle.PerDataset.GetValueOrDefault(dataset, double.NaN),
                held.Avengers.Accuracy, held.BestSingle.Accuracy, held.BestSingle.Model, held.Policy?.Describe() ?? ""));
        }
        return rows;
    }
}
