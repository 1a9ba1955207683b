namespace Avengers.Collection;

/// <summary>Where a collection stands.</summary>
public sealed record CollectProgress(int Done, int Total, double CallsPerSecond, TimeSpan? Left, long Tokens, double CostUsd, IReadOnlyDictionary<string, int> ErrorsPerModel);
