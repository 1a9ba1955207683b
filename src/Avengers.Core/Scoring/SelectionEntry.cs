namespace Avengers.Scoring;

/// <summary>A model's standing in automatic selection.</summary>
public sealed record SelectionEntry(string Model, int FirstPlaces, int SecondPlaces, double Points, double GlobalAccuracy);
