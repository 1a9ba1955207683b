using System.Text.Json;
using Avengers.Data;

namespace Avengers.Collection;

/// <summary>
/// The output of <c>collect</c>: the benchmark format, one line per finished (question, model), appended and
/// flushed at once, so a kill loses at most the calls in flight. On open it repairs a torn last line (a kill
/// mid-write) and reports it, knows which (question, model) pairs are done (every sample answered) so a rerun
/// skips them and retries the rest, and holds a lock file so two runs never interleave their lines.
/// </summary>
public sealed class CollectionJournal : IDisposable
{
    private readonly FileStream _lock;
    private readonly FileStream _output;
    private readonly HashSet<(string Id, string Model)> _done = [];
    private readonly List<(string Model, long Input, long Output)> _lineTokens = [];

    /// <summary>The recorded error of a sample whose request the backend refused itself: not retried by a rerun.</summary>
    public const string RejectedPrefix = "rejected by the backend: ";

    /// <summary>A (question, model) pair is settled when every sample answered, or was refused for good.</summary>
    private static bool Settled(string? error) => error is null || error.StartsWith(RejectedPrefix, StringComparison.Ordinal);
    private readonly object _gate = new();

    private CollectionJournal(string path, FileStream lockFile, FileStream output, int repairedBytes)
    {
        Path = path;
        _lock = lockFile;
        _output = output;
        RepairedBytes = repairedBytes;
    }

    /// <summary>The output file the journal appends to.</summary>
    public string Path { get; }
    /// <summary>Bytes of a torn last line dropped on open (0 when the file ended cleanly).</summary>
    public int RepairedBytes { get; }
    /// <summary>Question and model pairs already on disk.</summary>
    public int DoneCount => _done.Count;

    /// <exception cref="IOException">Another run holds the file.</exception>
    public static CollectionJournal Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        FileStream lockFile;
        try { lockFile = new FileStream(full + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose); }
        catch (IOException) { throw new IOException($"another 'collect' is writing {path} (its lock file {path}.lock is held); wait for it or choose another output"); }

        FileStream output;
        int repaired = 0;
        try
        {
            output = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            // A kill mid-write leaves a last line without its newline: cut it off, the call is redone.
            long length = output.Length;
            if (length > 0)
            {
                long keep = length;
                output.Seek(-1, SeekOrigin.End);
                if (output.ReadByte() != '\n')
                {
                    var buffer = new byte[Math.Min(length, 1 << 20)];
                    long start = length - buffer.Length;
                    output.Seek(start, SeekOrigin.Begin);
                    output.ReadExactly(buffer);
                    int lastNewline = Array.LastIndexOf(buffer, (byte)'\n');
                    keep = lastNewline < 0 ? (start == 0 ? 0 : throw new InvalidDataException($"{path}: its last line is longer than 1 MB and has no end; repair it by hand"))
                                           : start + lastNewline + 1;
                    repaired = (int)(length - keep);
                    output.SetLength(keep);
                }
            }
            output.Seek(0, SeekOrigin.End);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
        var journal = new CollectionJournal(path, lockFile, output, repaired);
        journal.LoadDone(full);
        return journal;
    }

    private void LoadDone(string full)
    {
        int lineNumber = 0;
        using var reader = new StreamReader(new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        while (reader.ReadLine() is string line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            BenchmarkRecord record;
            try { record = BenchmarkReader.ParseLine(Path, lineNumber, line); }
            catch (BenchmarkFormatException) { continue; } // not ours to judge: calibration will report it
            // A pair is done when its latest line answered every sample (ParseLine drops failed ones, so look at the line itself).
            using JsonDocument document = JsonDocument.Parse(line);
            foreach (JsonProperty model in document.RootElement.GetProperty("outputs").EnumerateObject())
            {
                bool complete = model.Value.GetArrayLength() > 0
                    && model.Value.EnumerateArray().All(sample => !sample.TryGetProperty("error", out JsonElement error) || error.ValueKind == JsonValueKind.Null
                        || (error.ValueKind == JsonValueKind.String && Settled(error.GetString())));
                // Tokens recorded per model, so that a budget covers what earlier runs spent.
                long input = 0, output = 0;
                foreach (JsonElement sample in model.Value.EnumerateArray())
                {
                    if (sample.ValueKind != JsonValueKind.Object) continue;
                    if (sample.TryGetProperty("input_tokens", out JsonElement i) && i.TryGetInt64(out long inTokens)) input += inTokens;
                    if (sample.TryGetProperty("output_tokens", out JsonElement o) && o.TryGetInt64(out long outTokens)) output += outTokens;
                }
                _lineTokens.Add((model.Name, input, output));
                if (complete) _done.Add((record.Id, model.Name));
                else _done.Remove((record.Id, model.Name));
            }
        }
    }

    /// <summary>What the file's recorded samples cost at these prices (USD per million tokens), as found on open.</summary>
    public double CostUsd(IReadOnlyDictionary<string, (double Input, double Output)> prices) => _lineTokens.Sum(line => CostOf(line, prices));

    /// <summary>The costliest (question, model) line found on open, at these prices: a budget's first estimate of the next pair.</summary>
    public double CostliestPairUsd(IReadOnlyDictionary<string, (double Input, double Output)> prices) => _lineTokens.Select(line => CostOf(line, prices)).DefaultIfEmpty(0).Max();

    private static double CostOf((string Model, long Input, long Output) line, IReadOnlyDictionary<string, (double Input, double Output)> prices)
        => prices.TryGetValue(line.Model, out var price) ? (line.Input * price.Input + line.Output * price.Output) / 1e6 : 0;

    /// <summary>True when the question's samples from the model are already on disk.</summary>
    public bool IsDone(string id, string model)
    {
        lock (_gate) return _done.Contains((id, model));
    }

    /// <summary>Appends one finished (question, model) and flushes it to disk before returning.</summary>
    public void Append(Question question, string model, IReadOnlyList<Sample> samples)
    {
        var record = new BenchmarkRecord
        {
            Id = question.Id,
            Dataset = question.Dataset,
            Query = question.Query,
            AnswerType = question.AnswerType,
            Gold = question.Gold,
            Choices = question.Choices,
            Outputs = new Dictionary<string, IReadOnlyList<Sample>> { [model] = samples },
        };
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            BenchmarkWriter.WriteRecord(writer, record);
        lock (_gate)
        {
            _output.Write(buffer.WrittenSpan);
            _output.WriteByte((byte)'\n');
            _output.Flush(flushToDisk: true);
            if (samples.All(s => Settled(s.Error))) _done.Add((question.Id, model));
        }
    }

    /// <summary>Flushes and closes the output file.</summary>
    public void Dispose()
    {
        _output.Dispose();
        _lock.Dispose();
    }
}
