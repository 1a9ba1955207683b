namespace Avengers.Routing;

/// <summary>A cluster that took part in a decision.</summary>
public readonly record struct ClusterMatch(int Cluster, float Similarity, double Weight);
