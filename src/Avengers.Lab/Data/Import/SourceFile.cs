namespace Avengers.Data.Import;

/// <summary>A file of a public benchmark source, pinned by commit and SHA-256.</summary>
public sealed record SourceFile(string Source, string Name, string UpstreamPath, string Sha256);
