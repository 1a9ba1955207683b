using System.Diagnostics;
using Avengers.Calibration;
using Avengers.Data;
using Avengers.Evaluation;
using Avengers.Reporting;
using Avengers.Tests.Evaluation;
using Microsoft.Extensions.AI;

namespace Avengers.Tests.Reporting;

/// <summary>The report page in headless Chromium from Debian's packages (installed by .ci/run; never downloaded by a test).</summary>
public class ReportBrowserTests
{
    private static readonly string[] ChromiumCandidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

    private static string Chromium()
        => ChromiumCandidates.FirstOrDefault(File.Exists)
           ?? throw new InvalidOperationException("headless Chromium not found: install Debian's chromium package (bash .ci/run does)");

    private static async Task<(string Stdout, string Stderr)> RunChromiumAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Chromium()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={TestData.TempDir()}" }.Concat(args))
            info.ArgumentList.Add(a);
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return (await stdout, await stderr);
    }

    private static async Task<string> BuildReportAsync()
    {
        var records = Enumerable.Range(0, 60).Select(i => new BenchmarkRecord
        {
            Id = $"{i:D3}",
            Dataset = i % 2 == 0 ? "math" : "geo",
            Query = i % 2 == 0 ? $"compute the sum of {i} and {i + 1}" : $"name the capital of country {i}",
            Outputs = new Dictionary<string, IReadOnlyList<Sample>> { ["m"] = [new Sample(Score: i % 2 == 0 ? 1 : 0)], ["g"] = [new Sample(Score: i % 2)] },
        }).ToList();
        string dir = TestData.TempDir();
        string path = Path.Combine(dir, "b.jsonl");
        BenchmarkWriter.Write(path, records);
        Benchmark benchmark = BenchmarkReader.Read(path);
        var embedder = new HashingEmbedder();
        var options = new ExperimentOptions { Calibration = new CalibrationOptions { K = 2 } };
        var (result, calibrated) = await Experiment.RunAsync(benchmark, embedder, "hashing", options);

        string ablationDir = Path.Combine(dir, "sweeps");
        Task<(IEmbeddingGenerator<string, Embedding<float>>, string)> For(string _) => Task.FromResult<(IEmbeddingGenerator<string, Embedding<float>>, string)>((embedder, "hashing"));
        IReadOnlyList<AblationPoint> points = await Ablation.RunAsync(benchmark, options, Ablation.Known(2).Single(s => s.Name == "k"), ["1", "2", "4"], ablationDir, For, "hashing");
        AblationPlot.Save("k", points, Path.Combine(ablationDir, "k.png"));

        var vectors = await Avengers.Embedding.EmbeddingRunner.EmbedAllAsync(embedder, records.Select(r => r.Query).ToList());
        IReadOnlyList<ClusterView> clusters = ClusterBrowser.Build(calibrated.Artifact, records, vectors);

        string outDir = Path.Combine(dir, "report");
        ReportBuilder.Write(outDir, [new ReportExperiment("two-topics", result)], [new ReportAblation("sweeps", ablationDir)], clusters, "test artifact");
        return outDir;
    }

    [Fact]
    public async Task Page_loads_with_its_tables_and_images_and_a_screenshot_is_taken()
    {
        string outDir = await BuildReportAsync();
        string page = "file://" + Path.Combine(outDir, "index.html");

        var (dom, log) = await RunChromiumAsync("--virtual-time-budget=5000", "--enable-logging=stderr", "--v=0", "--dump-dom", page);
        Assert.DoesNotContain("Uncaught", log);                      // no script error on the page
        Assert.Contains("data-ready=\"yes\"", dom);                 // every embedded plot decoded, the script ran
        Assert.Contains("data-images=\"1\"", dom);
        Assert.Contains("Cluster browser", dom);
        Assert.Contains("<td>avengers</td>", dom);
        int tables = dom.Split("<table").Length - 1;
        Assert.True(tables >= 4, $"{tables} tables");                // experiment, sweep, two clusters

        string screenshot = Path.Combine(outDir, "screenshot.png");
        await RunChromiumAsync("--window-size=1200,1600", $"--screenshot={screenshot}", page);
        Assert.True(File.Exists(screenshot) && new FileInfo(screenshot).Length > 10_000, "screenshot written");

        string markdown = await File.ReadAllTextAsync(Path.Combine(outDir, "report.md"));
        Assert.Contains("| **avengers** |", markdown);
        Assert.Contains("![k](sweeps-k.png)", markdown);
        Assert.True(File.Exists(Path.Combine(outDir, "sweeps-k.png")));
    }

    [Fact]
    public void Results_file_that_is_not_an_experiment_is_a_clear_error()
    {
        string path = Path.Combine(TestData.TempDir(), "x.json");
        File.WriteAllText(path, "{\"hello\": 1}");
        var error = Assert.Throws<FormatException>(() => ReportBuilder.ReadExperiment(path));
        Assert.Contains(path, error.Message);
    }
}
