using System.Security.Cryptography;
using System.Text;
using Avengers.Embedding;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;

namespace Avengers.Server.Fleet;

/// <summary>
/// Fleet mode's embedding cache: Microsoft.Extensions.Caching.Hybrid, an in-process tier over a shared Redis tier,
/// keyed by the embedding model's id and the normalised text (a SHA-256), so a question embedded on one replica is a
/// hit on every other. HybridCache also coalesces concurrent requests for the same text into one computation. Each
/// embedding says where it came from (<see cref="EmbeddingCacheTier"/>): computed here (miss), found in this
/// process (local), or found in Redis (shared). While Redis is down the shared tier is skipped and the process keeps
/// its own.
/// </summary>
internal sealed class SharedEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, HybridCache cache, RedisFleet fleet, string modelId)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    /// <summary>How long a shared vector is kept (it never changes for a model id, so only space bounds this).</summary>
    public static readonly TimeSpan SharedFor = TimeSpan.FromDays(30);
    /// <summary>Bytes the gateway host gives this process's tier (HybridCache's, over the host's IMemoryCache): 64 MiB.</summary>
    public const long LocalTierBytes = 64L << 20;

    /// <summary>How long a vector stays in this process's tier.</summary>
    public static readonly TimeSpan LocalFor = TimeSpan.FromHours(1);

    private static readonly HybridCacheEntryOptions WithRedis = new() { Expiration = SharedFor, LocalCacheExpiration = LocalFor };
    private static readonly HybridCacheEntryOptions WithoutRedis = new()
    {
        Expiration = SharedFor,
        LocalCacheExpiration = LocalFor,
        Flags = HybridCacheEntryFlags.DisableDistributedCache,
    };

    // Which keys this process has served: HybridCache does not say which tier answered, so a key served before is
    // "local" and one served now for the first time without computing it is "shared". Bounded like the local tier.
    private readonly MemoryCache _seen = new(new MemoryCacheOptions { SizeLimit = 100_000, CompactionPercentage = 0.1 });
    private static readonly MemoryCacheEntryOptions SeenEntry = new() { Size = 1, SlidingExpiration = LocalFor };

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        string[] texts = values as string[] ?? [.. values];
        var results = new List<Embedding<float>>(texts.Length);
        foreach (string text in texts)
        {
            string key = KeyOf(modelId, text);
            bool computed = false;
            bool known = _seen.TryGetValue(key, out _);
            float[] vector = await cache.GetOrCreateAsync(key, (Inner: this, Text: text, Options: options), async (state, token) =>
            {
                computed = true;
                return (await state.Inner.EmbedOneAsync(state.Text, state.Options, token).ConfigureAwait(false));
            }, fleet.IsConnected ? WithRedis : WithoutRedis, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!known) _seen.Set(key, true, SeenEntry);
            string tier = computed ? EmbeddingCacheTier.Miss : known ? EmbeddingCacheTier.Local : EmbeddingCacheTier.Shared;
            results.Add(new Embedding<float>(vector) { ModelId = modelId, AdditionalProperties = new() { [EmbeddingCacheTier.Key] = tier } });
        }
        return new GeneratedEmbeddings<Embedding<float>>(results);
    }

    private async Task<float[]> EmbedOneAsync(string text, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
        => (await base.GenerateAsync([text], options, cancellationToken).ConfigureAwait(false))[0].Vector.ToArray();

    /// <summary>"emb:{model}:{sha256 of the text, whitespace-normalised}": the same question hits however it was spaced.</summary>
    internal static string KeyOf(string modelId, string text)
    {
        string normalised = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return $"emb:{modelId}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)))}";
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _seen.Dispose();
        base.Dispose(disposing);
    }
}
