namespace Avengers.Evaluation;

/// <summary>A model's price in currency units per million input and output tokens.</summary>
public sealed record ModelPrice(double InputPerMillion, double OutputPerMillion);
