namespace Avengers.Evaluation;

/// <summary>A named sweep: the values it tries and how each changes the base experiment.</summary>
public sealed record Sweep(string Name, IReadOnlyList<string> Values, Func<ExperimentOptions, string, ExperimentOptions> Apply, bool ChangesEmbedding = false);
