using System.Security.Cryptography;

namespace Avengers.Data.Import;

/// <summary>Fetches a public benchmark source at its pinned commit and checks every file's SHA-256.</summary>
public static class BenchmarkDownloader
{
    /// <returns>The folder holding the verified files.</returns>
    /// <exception cref="InvalidDataException">A downloaded file does not match its pinned checksum.</exception>
    public static async Task<string> DownloadAsync(string source, string targetDir, HttpClient? http = null, CancellationToken cancellationToken = default)
    {
        var files = BenchmarkSources.FilesOf(source).ToList();
        if (files.Count == 0) throw new ArgumentException($"unknown benchmark source '{source}'; expected {BenchmarkSources.LlmRouter} or {BenchmarkSources.MmluPro}", nameof(source));
        Directory.CreateDirectory(targetDir);
        using HttpClient owned = new() { Timeout = TimeSpan.FromMinutes(10) };
        http ??= owned;
        foreach (SourceFile file in files)
        {
            string path = Path.Combine(targetDir, file.Name);
            if (File.Exists(path) && await HashAsync(path, cancellationToken).ConfigureAwait(false) == file.Sha256) continue;
            string url = BenchmarkSources.RawUrl(file);
            string temp = path + ".part";
            using (HttpResponseMessage response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode) throw new HttpRequestException($"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
                await using var output = File.Create(temp);
                await response.Content.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            }
            string actual = await HashAsync(temp, cancellationToken).ConfigureAwait(false);
            if (actual != file.Sha256)
            {
                File.Delete(temp);
                throw new InvalidDataException($"{url}: SHA-256 {actual} does not match the pinned {file.Sha256}");
            }
            File.Move(temp, path, overwrite: true);
        }
        return targetDir;
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }
}
