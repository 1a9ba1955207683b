using Avengers.Ensemble;

namespace Avengers.Collection;

/// <summary>Settings of <see cref="Collector"/>.</summary>
public sealed record CollectOptions
{
    /// <summary>Samples per question and model.</summary>
    public int Samples { get; init; } = 1;
    /// <summary>Sampling temperature.</summary>
    public float Temperature { get; init; } = EnsembleSettings.DefaultTemperature;
    /// <summary>Completion token cap per sample (null: the backend's default).</summary>
    public int MaxTokens { get; init; } = 1024;
    /// <summary>A template for every question (null: the default of each answer type).</summary>
    public PromptTemplate? Template { get; init; }
    /// <summary>Ask the backends for a JSON object (OpenAI's response_format json_object); the extractor reads its answer field.</summary>
    public bool JsonMode { get; init; }
    /// <summary>
    /// Stop before the spend of the whole output file (what it already cost included) would pass this many USD
    /// (needs prices). The next pair is assumed to cost as much as the costliest one so far, for every pair in flight.
    /// </summary>
    public double? MaxCostUsd { get; init; }
    /// <summary>USD per million input and output tokens, per model (models without prices count nothing).</summary>
    public IReadOnlyDictionary<string, (double Input, double Output)> Prices { get; init; } = new Dictionary<string, (double, double)>();
    /// <summary>Calls in flight per model (keep it at or below the backend's max_concurrency).</summary>
    public int ConcurrencyPerModel { get; init; } = 4;
    /// <summary>How often progress is reported.</summary>
    public TimeSpan ProgressEvery { get; init; } = TimeSpan.FromSeconds(5);
}
