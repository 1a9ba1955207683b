using Avengers.Clustering;
using Avengers.Routing;
using Avengers.Scoring;

namespace Avengers.Calibration;

/// <summary>The artifact plus what calibration saw on the way.</summary>
public sealed record CalibrationResult(RouterArtifact Artifact, KMeansResult Clusters, IReadOnlyList<SelectionEntry> Selection, IReadOnlyList<string> Notes)
{
    /// <summary>The ensemble configuration stored in the artifact (searched, given, or the defaults).</summary>
    public EnsemblePolicy Policy => Artifact.Manifest.Policy ?? PolicySearch.Fallback(new CalibrationOptions(), Artifact.Manifest.Selected.Count);
}
