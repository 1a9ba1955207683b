namespace Avengers.Embedding;

/// <summary>
/// Where a cached embedding came from, told by the caching generators in <c>Embedding.AdditionalProperties</c> under
/// <see cref="Key"/>: the gateway shows it in <c>x-avengers-cache</c>.
/// </summary>
public static class EmbeddingCacheTier
{
    /// <summary>The property name.</summary>
    public const string Key = "avengers.cache";
    /// <summary>This process had it (memory or its own disk cache).</summary>
    public const string Local = "local";
    /// <summary>Another replica computed it; it came from the shared tier (Redis).</summary>
    public const string Shared = "shared";
    /// <summary>Computed now.</summary>
    public const string Miss = "miss";
}
