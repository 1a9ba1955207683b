using Avengers.Evaluation;

namespace Avengers.Reporting;

/// <summary>A named experiment result (from <c>experiment --json</c>).</summary>
public sealed record ReportExperiment(string Name, ExperimentResult Result);
