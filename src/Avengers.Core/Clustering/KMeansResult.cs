namespace Avengers.Clustering;

/// <summary>Fitted clusters: centroids (K x dimension), each point's label (0-based), inertia (sum of squared distances).</summary>
public sealed record KMeansResult(VectorSet Centroids, int[] Labels, double Inertia, int Iterations, int Restart);
