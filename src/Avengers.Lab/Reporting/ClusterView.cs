namespace Avengers.Reporting;

/// <summary>One cluster for the browser: its size, ranked models, and a few member queries.</summary>
public sealed record ClusterView(int Cluster, int Size, IReadOnlyList<(string Model, double Accuracy, double Lower, double Upper, int Answered)> Models, IReadOnlyList<string> Examples);
