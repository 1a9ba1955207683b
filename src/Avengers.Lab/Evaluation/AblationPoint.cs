namespace Avengers.Evaluation;

/// <summary>One evaluated point of a sweep.</summary>
public sealed record AblationPoint(string Sweep, string Value, double Avengers, double BestSingle, double Random, double LabelRouter, double Oracle, double MeanSamplesUsed, string Setup,
    double AvengersCost = double.NaN, double BestSingleCost = double.NaN);
