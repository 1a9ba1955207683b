using Avengers.Data;
using Avengers.Embedding;
using Spectre.Console;

namespace Avengers.Cli;

/// <summary>Turns exceptions into one clear line on stderr and an exit code; shows progress on terminals.</summary>
internal static class CliRunner
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try { return await body(); }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception ex)
        {
            // One line (or the list a configuration error carries), never a stack trace; AVENGERS_DEBUG=1 adds it for bug reports.
            Console.Error.WriteLine($"error: {MessageOf(ex)}");
            if (Environment.GetEnvironmentVariable("AVENGERS_DEBUG") == "1") Console.Error.WriteLine(ex);
            else if (!IsExpected(ex)) Console.Error.WriteLine("(an unexpected failure: set AVENGERS_DEBUG=1 to see where it happened)");
            // A usage error (exit 2) ends with the pointer to the verb's help, as the parser's own errors do.
            if (ex is ArgumentException) Console.Error.WriteLine(HelpPointer(Environment.GetCommandLineArgs().Skip(1)));
            return ex is ArgumentException ? 2 : 1;
        }
    }

    /// <summary>"run 'avengers import lm-eval --help' for the options": the verbs given (leading arguments that are not options or files).</summary>
    internal static string HelpPointer(IEnumerable<string> args)
    {
        var verbs = new List<string>();
        foreach (string arg in args)
        {
            if (arg.StartsWith('-') || arg.Contains('.') || arg.Contains('/') || verbs.Count == 2) break;
            verbs.Add(arg);
        }
        // The test host and 'dotnet avengers.dll' put the program first.
        if (verbs.Count > 0 && verbs[0].EndsWith("avengers", StringComparison.Ordinal)) verbs.RemoveAt(0);
        return $"run 'avengers{(verbs.Count > 0 ? " " + string.Join(" ", verbs.Take(Known(verbs))) : "")} --help' for the options";
    }

    /// <summary>How many of the leading words are verbs (a second one only for the verbs that have subcommands).</summary>
    private static int Known(List<string> words) => words.Count > 1 && words[0] is "import" or "config" or "models" or "router" or "feedback" && words[1] is "questions" or "lm-eval" or "llmrouter" or "mmlu-pro" or "validate" or "list" or "download" or "publish" or "status" or "export" ? 2 : 1;

    /// <summary>The closest known verb to a misspelled one (edit distance at most 2), if any.</summary>
    internal static string? ClosestVerb(string word, IEnumerable<string> verbs)
        => verbs.Select(v => (Verb: v, Distance: EditDistance(word, v))).Where(x => x.Distance <= 2).OrderBy(x => x.Distance).Select(x => x.Verb).FirstOrDefault();

    private static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int previous = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }
        return row[b.Length];
    }

    private static bool IsExpected(Exception ex) => ex is AvengersException or Microsoft.Extensions.Options.OptionsValidationException or FormatException or FileNotFoundException
        or DirectoryNotFoundException or ArgumentException or InvalidDataException or HttpRequestException or InvalidOperationException or IOException or UnauthorizedAccessException;

    /// <summary>The message without framework noise: no "(Parameter 'x')" suffixes, no type names.</summary>
    internal static string MessageOf(Exception ex)
    {
        string message = ex.Message;
        if (ex is ArgumentException { ParamName: string name }) message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        return FriendlyTypes(message);
    }

    /// <summary>"as expected type 'System.Int32'" and the like, in words.</summary>
    internal static string FriendlyTypes(string message) => message
        .Replace("expected type 'System.Int32'", "a whole number", StringComparison.Ordinal)
        .Replace("expected type 'System.Int64'", "a whole number", StringComparison.Ordinal)
        .Replace("expected type 'System.Nullable`1[System.Int32]'", "a whole number", StringComparison.Ordinal)
        .Replace("expected type 'System.Double'", "a number", StringComparison.Ordinal)
        .Replace("expected type 'System.Nullable`1[System.Double]'", "a number", StringComparison.Ordinal)
        .Replace("expected type 'System.Boolean'", "true or false", StringComparison.Ordinal)
        .Replace("expected type 'System.String'", "text", StringComparison.Ordinal);

    public static void Info(string message) => Console.Error.WriteLine(message);

    /// <summary>The ensemble configuration calibration chose, why, and what came next.</summary>
    public static void PrintPolicy(Avengers.Routing.EnsemblePolicy policy, string indent = "")
    {
        Console.WriteLine($"{indent}ensemble: {policy.Describe()}");
        if (policy.Evidence is not { } e) { Console.WriteLine($"{indent}  ({policy.ChosenBy})"); return; }
        if (e.Folds == 0) { Console.WriteLine($"{indent}  ({policy.ChosenBy}: {e.Reason})"); return; }
        string F(double v) => v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"{indent}  chosen by {e.Folds}-fold cross-validation on {e.Items} training items among {e.Candidates} candidates: accuracy {F(e.Accuracy)}, {e.CallsPerQuery:F1} calls per query"
            + (e.SearchAccuracy is double searched ? $" (the search itself, cross-validated: {F(searched)})" : ""));
        Console.WriteLine($"{indent}  {e.Reason}");
        foreach (var r in e.RunnersUp.Take(3)) Console.WriteLine($"{indent}  runner-up: {r.Name}: {F(r.Accuracy)}, {r.CallsPerQuery:F1} calls");
    }

    /// <summary>Reads a benchmark; with <paramref name="skipInvalid"/>, malformed records are skipped and every skip is reported.</summary>
    public static Benchmark ReadBenchmark(string file, IReadOnlySet<string>? models, bool skipInvalid)
    {
        BenchmarkReadResult result = BenchmarkReader.ReadWithProblems(file, new BenchmarkReadOptions { Models = models, SkipInvalid = skipInvalid });
        if (result.Problems.Count > 0)
        {
            Info($"skipped {result.Problems.Count} malformed record(s) of {file}:");
            foreach (BenchmarkFormatException problem in result.Problems.Take(10)) Info($"  {problem.Message}");
            if (result.Problems.Count > 10) Info($"  ... and {result.Problems.Count - 10} more");
        }
        return result.Benchmark;
    }

    public static Task<EmbeddingStack> EmbeddingAsync(string? spec, string? cache, CancellationToken cancellationToken, EmbeddingBatchOptions? batching = null, long? memoryBytes = null)
        => EmbeddingStack.CreateAsync(EmbeddingModelSpec.Parse(spec),
            string.Equals(cache, "none", StringComparison.OrdinalIgnoreCase) ? null : cache ?? EmbeddingStack.DefaultCachePath, batching, memoryBytes, cancellationToken);

    /// <summary>Feeds a stage's progress to a progress display; its notes are printed once, as lines.</summary>
    public static IProgress<Avengers.Evaluation.StageProgress> StageProgress(IProgress<(int Done, int Total)> display)
        => new SynchronousProgress<Avengers.Evaluation.StageProgress>(s =>
        {
            if (s.Note is string note) Info(note);
            else display.Report((s.Done, s.Total));
        });

    /// <summary>Runs <paramref name="work"/> with a progress bar on an interactive terminal, silently otherwise.</summary>
    public static async Task<T> WithProgressAsync<T>(string title, Func<IProgress<(int Done, int Total)>, Task<T>> work)
    {
        if (Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return await work(new PlainProgress(title));
        T result = default!;
        await AnsiConsole.Progress().AutoClear(true).StartAsync(async context =>
        {
            ProgressTask task = context.AddTask(title, maxValue: 1);
            var progress = new SynchronousProgress<(int Done, int Total)>(p => { task.MaxValue = Math.Max(1, p.Total); task.Value = p.Done; });
            result = await work(progress);
        });
        return result;
    }

    /// <summary>
    /// Progress for logs and CI (output not a terminal): a plain line every few seconds with done/total, rate and
    /// the time left, so long work is never silent; nothing when the work finishes at once (a warm cache).
    /// </summary>
    private sealed class PlainProgress(string title) : IProgress<(int Done, int Total)>
    {
        private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
        private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();
        private TimeSpan _last = TimeSpan.Zero;
        private readonly object _gate = new();

        public void Report((int Done, int Total) value)
        {
            lock (_gate)
            {
                TimeSpan elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(_started);
                if (elapsed - _last < Every || value.Total <= 0) return;
                _last = elapsed;
                double rate = value.Done / Math.Max(elapsed.TotalSeconds, 1e-3);
                string left = rate > 0 && value.Done < value.Total ? $", about {Math.Ceiling((value.Total - value.Done) / rate):0} s left" : "";
                Info($"{title}: {value.Done:N0}/{value.Total:N0} ({100.0 * value.Done / value.Total:0}%), {rate:0.#}/s{left}");
            }
        }
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
