using System.CommandLine;
using Avengers.Embedding;
using Avengers.Testbed.Faults;

namespace Avengers.Cli.Commands;

/// <summary><c>avengers faults [--requests N] [-o docs/reliability.md]</c>: the fault-injection matrix against a loopback gateway.</summary>
internal static class FaultsCommand
{
    public static Command Create()
    {
        var requests = new Option<int>("--requests") { Description = "Requests per cell of the matrix", DefaultValueFactory = _ => 3 };
        var soak = new Option<int?>("--soak") { Description = "Instead of the matrix: N minutes of loopback load with faults at random, reporting memory, open handles, latency and outcomes every minute" };
        var concurrency = new Option<int>("--concurrency") { Description = "Concurrent clients of the soak", DefaultValueFactory = _ => 8 };
        var faultRate = new Option<double>("--fault-rate") { Description = "Share of backend calls that fail during the soak", DefaultValueFactory = _ => 0.2 };
        var output = new Option<string?>("--output", "-o") { Description = "Also write the tables into this Markdown file, between <!-- faults:begin --> and <!-- faults:end --> (or the soak markers), appended when absent" };
        var command = new Command("faults", "Fault injection: every backend fault (500, 429, hang, cut connections, bad JSON, HTML, broken streams, slow answers, a key echoed in an error) crossed with every strategy and streaming, alone and in a pool, against a loopback gateway; every request must end answered or with a clean error")
        {
            requests, output, soak, concurrency, faultRate,
        };
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(async () =>
        {
            using EmbeddingStack embedding = await CliRunner.EmbeddingAsync("minilm", "none", cancellationToken);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            if (parse.GetValue(soak) is int minutes)
            {
                if (minutes is < 1 or > 24 * 60) throw new ArgumentException($"--soak: expected 1 to 1440 minutes, found {minutes}");
                int clients = parse.GetValue(concurrency);
                double rate = parse.GetValue(faultRate);
                if (clients is < 1 or > 1000) throw new ArgumentException($"--concurrency: expected 1 to 1000, found {clients}");
                if (!(rate > 0 && rate <= 1)) throw new ArgumentException($"--fault-rate: expected a share in (0, 1], found {rate}");
                IReadOnlyList<SoakMinute> rows = await FaultSoak.RunAsync(embedding, minutes, clients, rate,
                    new Progress<SoakMinute>(m => CliRunner.Info($"soak minute {m.Minute}: {m.Requests} requests, {m.Bad} bad, p99 {m.P99Ms} ms, RSS {m.RssMb} MB, {m.OpenHandles} handles")), cancellationToken);
                string table = FaultSoak.ToMarkdown(rows, clients, rate);
                Console.WriteLine(table);
                if (parse.GetValue(output) is string soakPath)
                    WriteSection(soakPath, "soak", $"```\navengers faults --soak {minutes} --concurrency {clients} --fault-rate {rate}\n```\n\n{table}");
                return rows.Sum(r => r.Bad) == 0 ? 0 : 1;
            }
            IReadOnlyList<FaultCell> cells = await FaultMatrix.RunAsync(embedding, new FaultMatrixOptions { RequestsPerCell = parse.GetValue(requests) },
                new Progress<string>(step => CliRunner.Info($"faults: {step}")), cancellationToken);
            string markdown = FaultMatrix.ToMarkdown(cells);
            Console.WriteLine(markdown);
            Console.WriteLine($"done in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
            if (parse.GetValue(output) is string path)
                WriteSection(path, "faults", $"```\navengers faults --requests {parse.GetValue(requests)}\n```\n\n{markdown}");
            return cells.Sum(c => c.Bad) == 0 ? 0 : 1;
        }));
        return command;
    }

    /// <summary>Replaces the text between &lt;!-- NAME:begin --&gt; and &lt;!-- NAME:end --&gt; (appended when absent), atomically.</summary>
    private static void WriteSection(string path, string name, string body)
    {
        string beginMarker = $"<!-- {name}:begin -->", endMarker = $"<!-- {name}:end -->";
        string section = $"{beginMarker}\n{body}{endMarker}";
        string text = File.Exists(path) ? File.ReadAllText(path) : "";
        int begin = text.IndexOf(beginMarker, StringComparison.Ordinal), end = text.IndexOf(endMarker, StringComparison.Ordinal);
        text = begin >= 0 && end > begin ? text[..begin] + section + text[(end + endMarker.Length)..] : text + (text.Length > 0 ? "\n\n" : "") + section + "\n";
        Avengers.IO.AtomicFile.WriteAllText(path, text);
        Console.WriteLine($"written to {path}");
    }
}
