namespace Avengers.Routing;

/// <summary>A model as ranked for one query.</summary>
/// <param name="Score">The ranking key: the cluster's smoothed accuracy, or its softmax-weighted mean over top_k clusters.</param>
/// <param name="Accuracy">Raw accuracy in the nearest cluster (NaN when the model answered none of its items).</param>
/// <param name="Lower">95% interval of that accuracy.</param>
/// <param name="Answered">Training items of the nearest cluster the model answered.</param>
public sealed record RankedModel(string Model, double Score, double Accuracy, double Lower, double Upper, int Answered)
{
    /// <summary>With live feedback: the score from calibration alone (<see cref="Score"/> adds the live evidence); null without it.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("calibrated_score")]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? CalibratedScore { get; init; }
    /// <summary>With live feedback: the live answers (decayed) behind the score in the nearest cluster.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("live_answered")]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? LiveAnswered { get; init; }
    /// <summary>With live feedback: the query's clusters in which feedback found this model changed (its calibration set aside); null: none.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("changed_in")]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<int>? ChangedIn { get; init; }
    /// <summary>
    /// With live feedback: when feedback found this model changed as a whole, what its calibrated accuracy is multiplied
    /// by everywhere (its right answers since the fall over those calibration expected); null: not found changed.
    /// </summary>
    [System.Text.Json.Serialization.JsonPropertyName("calibration_scale")]
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? CalibrationScale { get; init; }
}
