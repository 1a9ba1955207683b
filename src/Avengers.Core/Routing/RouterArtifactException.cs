namespace Avengers.Routing;

/// <summary>A router artifact cannot be used: wrong format, version, dimension, or damaged content.</summary>
public sealed class RouterArtifactException(string message) : AvengersException(message);
