using Avengers.Data.Import;

namespace Avengers.Data;

/// <summary>
/// The named public benchmarks: where their converted file lives, how to build it, and the model
/// pools the method is evaluated with (small models routed over; larger ones shown for reference).
/// </summary>
public static class BenchmarkCatalog
{
    public sealed record Entry(string Name, IReadOnlyList<string> Pool, IReadOnlyList<string> References);

    public static readonly Entry LlmRouter = new(BenchmarkSources.LlmRouter,
        ["qwen2.5-7b-instruct", "llama-3.1-8b-instruct", "mistral-7b-instruct-v0.3", "gemma-2-9b-it", "codegemma-7b", "llama3-chatqa-1.5-8b"],
        ["llama-3.1-nemotron-51b-instruct", "llama-3.3-nemotron-super-49b-v1", "llama3-chatqa-1.5-70b"]);

    public static readonly Entry MmluPro = new(BenchmarkSources.MmluPro,
        ["Meta-Llama-3_1-8B-Instruct", "Meta-Llama-3_1-8B", "Meta-Llama-3-8B", "Mistral-7B-Instruct-v0.1", "Mistral-7B-Instruct-v0.2",
         "Mistral-7B-v0.1", "Mistral-7B-v0.2-hf", "Qwen1.5-7B-Chat", "Yi-6B", "Yi-6b-Chat", "gemma-7b", "Phi-3-mini-4k-instruct",
         "mathstral-7B", "Llama-2-7b-hf", "Llama-2-13b-hf"],
        ["Qwen1.5-72B-Chat", "Meta-Llama-3_1-70B-Instruct", "Mixtral-8x7B-Instruct-v0.1"]);

    public static IReadOnlyList<Entry> All { get; } = [LlmRouter, MmluPro];

    public static Entry? Find(string name) => All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Turns a file path or benchmark name into a benchmark file. A name is converted once from the
    /// shared folder (<see cref="BenchmarkLocator.FindDataRoot"/>), or downloaded when allowed, and
    /// kept in the cache folder.
    /// </summary>
    /// <param name="log">Receives one line per action taken.</param>
    /// <exception cref="FileNotFoundException">Neither a file nor a known name, or the source data cannot be found.</exception>
    public static async Task<string> ResolveAsync(string fileOrName, bool allowDownload, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        if (File.Exists(fileOrName)) return fileOrName;
        Entry? entry = Find(fileOrName);
        if (entry is null)
            throw new FileNotFoundException($"'{fileOrName}' is neither a file nor a known benchmark name ({string.Join(", ", All.Select(e => e.Name))})", fileOrName);

        string converted = Path.Combine(BenchmarkLocator.CacheRoot(), "benchmarks", entry.Name + ".jsonl");
        if (File.Exists(converted)) return converted;

        string? sourceDir = null;
        if (BenchmarkLocator.FindDataRoot() is string root && Directory.Exists(Path.Combine(root, entry.Name)))
            sourceDir = Path.Combine(root, entry.Name);
        else if (allowDownload)
        {
            sourceDir = Path.Combine(BenchmarkLocator.CacheRoot(), "sources", entry.Name);
            log?.Invoke($"downloading {entry.Name} to {sourceDir} (pinned commit, checksums verified)");
            await BenchmarkDownloader.DownloadAsync(entry.Name, sourceDir, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        if (sourceDir is null)
            throw new FileNotFoundException($"no source data for '{entry.Name}': set {BenchmarkLocator.DataVariable} to a folder holding {entry.Name}/, run from a folder beside shared/benchmarks, or pass --download");

        log?.Invoke($"converting {sourceDir} to {converted}");
        ImportReport report = Import(entry.Name, sourceDir, converted);
        foreach (string note in report.Notes) log?.Invoke(note);
        return converted;
    }

    public static ImportReport Import(string name, string sourceDir, string output) => name.ToLowerInvariant() switch
    {
        BenchmarkSources.LlmRouter => LlmRouterImporter.Import(sourceDir, output),
        BenchmarkSources.MmluPro => MmluProImporter.Import(sourceDir, output),
        _ => throw new ArgumentException($"unknown benchmark '{name}'; expected {string.Join(" or ", All.Select(e => e.Name))}"),
    };
}
