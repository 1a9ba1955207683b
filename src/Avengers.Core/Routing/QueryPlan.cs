using Avengers.Voting;

namespace Avengers.Routing;

/// <summary>The models of one query, best first, and the options to decide among their samples with.</summary>
public sealed record QueryPlan(IReadOnlyList<RankedModel> Models, VoteRule Options, string? Reason);
