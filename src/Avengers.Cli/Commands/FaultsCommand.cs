using System.CommandLine;
using Avengers.Embedding;
using Avengers.Server.Faults;

namespace Avengers.Cli.Commands;

/// <summary><c>avengers faults [--requests N] [-o docs/reliability.md]</c>: the fault-injection matrix against a loopback gateway.</summary>
internal static class FaultsCommand
{
    public const string BeginMarker = "<!-- faults:begin -->";
    public const string EndMarker = "<!-- faults:end -->";

    public static Command Create()
    {
        var requests = new Option<int>("--requests") { Description = "Requests per cell of the matrix", DefaultValueFactory = _ => 3 };
        var output = new Option<string?>("--output", "-o") { Description = $"Also write the tables into this Markdown file, between {BeginMarker} and {EndMarker} (appended when absent)" };
        var command = new Command("faults", "Fault injection: every backend fault (500, 429, hang, cut connections, bad JSON, HTML, broken streams, slow answers, a key echoed in an error) crossed with every strategy and streaming, alone and in a pool, against a loopback gateway; every request must end answered or with a clean error")
        {
            requests, output,
        };
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            using EmbeddingStack embedding = await CliRunner.EmbeddingAsync("minilm", "none", cancellationToken);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            IReadOnlyList<FaultCell> cells = await FaultMatrix.RunAsync(embedding, new FaultMatrixOptions { RequestsPerCell = parse.GetValue(requests) },
                new Progress<string>(step => CliRunner.Info($"faults: {step}")), cancellationToken);
            string markdown = FaultMatrix.ToMarkdown(cells);
            Console.WriteLine(markdown);
            Console.WriteLine($"done in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
            if (parse.GetValue(output) is string path)
            {
                string section = $"{BeginMarker}\n```\navengers faults --requests {parse.GetValue(requests)}\n```\n\n{markdown}{EndMarker}";
                string text = File.Exists(path) ? File.ReadAllText(path) : "";
                int begin = text.IndexOf(BeginMarker, StringComparison.Ordinal), end = text.IndexOf(EndMarker, StringComparison.Ordinal);
                text = begin >= 0 && end > begin ? text[..begin] + section + text[(end + EndMarker.Length)..] : text + (text.Length > 0 ? "\n\n" : "") + section + "\n";
                Avengers.IO.AtomicFile.WriteAllText(path, text);
                Console.WriteLine($"written to {path}");
            }
            return cells.Sum(c => c.Bad) == 0 ? 0 : 1;
        }));
        return command;
    }
}
