namespace Avengers.Server.Feedback;

/// <summary>One piece of live evidence: a model's outcome on a query, spread over the clusters it was routed by.</summary>
internal sealed record LiveUpdate(string ArtifactSha, IReadOnlyList<double[]> Clusters, IReadOnlyList<ModelOutcome> Outcomes);
