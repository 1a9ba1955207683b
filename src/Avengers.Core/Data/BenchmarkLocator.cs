namespace Avengers.Data;

/// <summary>Finds the shared benchmark folder and the per-user cache folder.</summary>
public static class BenchmarkLocator
{
    /// <summary>Environment variable that points at a folder holding <c>llmrouter/</c> and <c>mmlu-pro/</c>.</summary>
    public const string DataVariable = "AVENGERS_DATA";
    /// <summary>Environment variable that overrides the cache folder (embeddings, imported benchmarks).</summary>
    public const string CacheVariable = "AVENGERS_CACHE";

    /// <summary>
    /// The benchmark root: <c>$AVENGERS_DATA</c>, else the first <c>shared/benchmarks</c> found beside the
    /// current directory or any of its parents (so <c>../shared/benchmarks</c> from the project root), else null.
    /// </summary>
    public static string? FindDataRoot()
    {
        string? fromEnv = Environment.GetEnvironmentVariable(DataVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv)) return Directory.Exists(fromEnv) ? Path.GetFullPath(fromEnv) : null;
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "benchmarks");
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    /// <summary><c>$AVENGERS_CACHE</c>, else <c>$XDG_CACHE_HOME/avengers</c>, else <c>~/.cache/avengers</c>.</summary>
    public static string CacheRoot()
    {
        string? fromEnv = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv)) return fromEnv;
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string baseDir = !string.IsNullOrWhiteSpace(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "avengers");
    }
}
