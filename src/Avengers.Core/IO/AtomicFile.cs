namespace Avengers.IO;

/// <summary>
/// Every file the product writes (artifacts, results, reports, benchmark conversions, plots) is written to a
/// uniquely named temporary file beside the target, flushed to disk and renamed over it in one step: a reader
/// sees the old file or the new one, never half of one; a process killed mid-write leaves the target intact
/// and cannot block the next write (temporary names are never reused, and old leftovers are cleaned up);
/// concurrent writers to one path each write their own temporary file and the last rename wins.
/// </summary>
public static class AtomicFile
{
    /// <summary>Leftover temporary files older than this are deleted by the next write to the same target.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Prepare(path, out string temp);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static async Task WriteAsync(string path, Func<Stream, Task> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Prepare(path, out string temp);
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(stream).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes text as UTF-8 (no byte order mark), atomically.</summary>
    public static void WriteAllText(string path, string text) => Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write(text);
    });

    /// <summary>Writes text as UTF-8 (no byte order mark), atomically.</summary>
    public static Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken = default) => WriteAsync(path, async stream =>
    {
        await using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        await writer.WriteAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
    });

    /// <summary>Writes through a library that only saves to a path (e.g. a plot): to a temporary path with the same extension, then renamed.</summary>
    public static void WriteVia(string path, Action<string> saveTo)
    {
        ArgumentNullException.ThrowIfNull(saveTo);
        string full = Prepare(path, out string temp);
        string withExtension = temp + Path.GetExtension(full);
        try
        {
            saveTo(withExtension);
            File.Move(withExtension, full, overwrite: true);
        }
        catch
        {
            TryDelete(withExtension);
            throw;
        }
    }

    /// <summary>The full target path and a fresh temporary name beside it; old leftovers of this target are removed.</summary>
    private static string Prepare(string path, out string temp)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        string prefix = $".{Path.GetFileName(full)}.";
        foreach (string leftover in Directory.EnumerateFiles(directory, prefix + "*.tmp*"))
        {
            try
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(leftover) > StaleAfter) File.Delete(leftover);
            }
            catch (IOException) { } // another process may be using it; it is skipped
            catch (UnauthorizedAccessException) { }
        }
        temp = Path.Combine(directory, $"{prefix}{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        return full;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
