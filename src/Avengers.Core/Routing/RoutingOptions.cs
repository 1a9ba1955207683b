namespace Avengers.Routing;

/// <summary>How a query is assigned to clusters and which models may be ranked.</summary>
public sealed record RoutingOptions
{
    /// <summary>Clusters blended per partition unless set (the paper's nearest cluster).</summary>
    public const int DefaultTopK = 1;
    /// <summary>Sharpness of the blend unless set.</summary>
    public const double DefaultBeta = 6.0;

    /// <summary>1: the nearest cluster decides. Above 1: the nearest clusters vote with softmax(beta * similarity) weights.</summary>
    public int TopK { get; init; } = DefaultTopK;
    /// <summary>Sharpness of the similarity weights over the top-k clusters.</summary>
    public double Beta { get; init; } = DefaultBeta;
    /// <summary>
    /// Cost-aware ranking (Avengers-Pro): alpha * normalised accuracy + (1 - alpha) * cost score, per cluster;
    /// null ranks by accuracy alone. Needs an artifact calibrated with prices.
    /// </summary>
    public double? Alpha { get; init; }
    /// <summary>Rank only these models (null: every model of the artifact's selection).</summary>
    public IReadOnlySet<string>? Available { get; init; }

    /// <summary>Throws when a setting is out of its range.</summary>
    /// <exception cref="ArgumentException">The first setting out of range.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (TopK < 1) problems.Add($"top_k must be at least 1 (got {TopK})");
        if (!double.IsFinite(Beta) || Beta < 0) problems.Add($"beta must be a finite number >= 0 (got {Beta})");
        if (Alpha is double a && (a < 0 || a > 1 || double.IsNaN(a))) problems.Add($"alpha must lie in [0, 1] (got {a})");
        if (problems.Count > 0) throw new ArgumentException("invalid routing options: " + string.Join("; ", problems));
    }
}
