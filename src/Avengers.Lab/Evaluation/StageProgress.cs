namespace Avengers.Evaluation;

/// <summary>Progress of a long stage ("embed", ...); <paramref name="Note"/> is a line to show once (e.g. how long the stage will take).</summary>
public readonly record struct StageProgress(string Stage, int Done, int Total, string? Note = null);
