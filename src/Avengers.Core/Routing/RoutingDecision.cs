namespace Avengers.Routing;

/// <summary>Where a query went and which models it prefers, best first.</summary>
public sealed record RoutingDecision(int Cluster, float Similarity, IReadOnlyList<ClusterMatch> Clusters, IReadOnlyList<RankedModel> Models);
