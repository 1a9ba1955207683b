namespace Avengers.Server.Feedback;

/// <summary>A model's outcome in [0, 1] (1: right) for one judged answer.</summary>
internal sealed record ModelOutcome(string Model, double Outcome);
