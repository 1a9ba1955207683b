using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Avengers.Evaluation;

namespace Avengers.Reporting;

/// <summary>
/// Writes a self-contained HTML page (plots embedded as data URIs) and a Markdown twin (plots as files
/// beside it): per-dataset tables, sweeps, the accuracy-cost front, and a cluster browser.
/// </summary>
public static class ReportBuilder
{
    /// <summary>How experiment results are written and read as JSON (NaN allowed, indented).</summary>
    public static readonly JsonSerializerOptions ResultJson = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    /// <exception cref="FormatException">A results file is not an experiment result (the message names it).</exception>
    public static ReportExperiment ReadExperiment(string path)
    {
        try
        {
            ExperimentResult result = JsonSerializer.Deserialize<ExperimentResult>(File.ReadAllText(path), ResultJson)
                ?? throw new FormatException($"{path}: empty results file");
            if (result.Avengers is null || result.Datasets is null) throw new FormatException($"{path}: not an experiment result (missing 'avengers' or 'datasets')");
            return new ReportExperiment(Path.GetFileNameWithoutExtension(path), result);
        }
        catch (JsonException ex)
        {
            string where = ex.LineNumber is long line ? $"line {line + 1}, byte {ex.BytePositionInLine + 1}" : "its start";
            throw new FormatException($"{path}: not an experiment result written by 'experiment --json' (invalid at {where}{(string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "" : $", field {ex.Path}")})");
        }
    }

    /// <summary>Writes index.html (self-contained) and report.md (plots beside it) into <paramref name="outputDirectory"/>.</summary>
    public static void Write(string outputDirectory, IReadOnlyList<ReportExperiment> experiments, IReadOnlyList<ReportAblation> ablations, IReadOnlyList<ClusterView>? clusters, string? clusterSource)
    {
        Directory.CreateDirectory(outputDirectory);
        var html = new StringBuilder();
        var md = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Avengers report</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222}
            table{border-collapse:collapse;margin:1em 0;font-size:13px}
            th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}
            th:first-child,td:first-child{text-align:left;white-space:nowrap}
            tr.avengers td{font-weight:bold;background:#eef6ff}
            img{max-width:100%;border:1px solid #ddd;margin:0.5em 0}
            details{margin:0.3em 0} summary{cursor:pointer}
            .examples li{font-size:12px;color:#444}
            </style></head><body>
            <h1>Avengers report</h1>
            """);
        md.AppendLine("# Avengers report").AppendLine();

        foreach (ReportExperiment experiment in experiments) AppendExperiment(html, md, experiment);
        foreach (ReportAblation ablation in ablations) AppendAblation(html, md, ablation, outputDirectory);
        if (clusters is not null) AppendClusters(html, md, clusters, clusterSource);

        // Marks the page ready only when every plot decoded: a headless browser test reads this.
        html.Append("""
            <script>
            window.addEventListener('load', () => {
              const images = Array.from(document.images);
              const broken = images.filter(i => !i.complete || i.naturalWidth === 0).length;
              document.body.dataset.images = String(images.length);
              document.body.dataset.tables = String(document.querySelectorAll('table').length);
              document.body.dataset.ready = broken === 0 ? 'yes' : 'broken-images-' + broken;
            });
            </script>
            </body></html>
            """);
        IO.AtomicFile.WriteAllText(Path.Combine(outputDirectory, "index.html"), html.ToString());
        IO.AtomicFile.WriteAllText(Path.Combine(outputDirectory, "report.md"), md.ToString());
    }

    private static void AppendExperiment(StringBuilder html, StringBuilder md, ReportExperiment experiment)
    {
        ExperimentResult r = experiment.Result;
        ExperimentSetup s = r.Setup;
        string title = $"Experiment: {experiment.Name}";
        string setup = $"{s.Benchmark}, split {s.Split} ({s.TrainItems} train / {s.TestItems} test), {s.Embedding}, K = {s.K}, {s.Strategy} top-n {s.TopN}, top-k {s.TopK}, seed {s.Seed}";
        html.Append($"<h2>{E(title)}</h2><p>{E(setup)}</p>");
        md.AppendLine($"## {title}").AppendLine().AppendLine(setup).AppendLine();

        var table = ResultsTable.From(r);
        html.Append(table.ToHtml());
        md.Append(table.ToMarkdown()).AppendLine();
        if (r.Costs is CostReport costs)
        {
            string line = $"Cost per 1,000 queries (USD, from the prices): avengers {costs.Avengers * 1000:F4}, best single {costs.BestSingle * 1000:F4}.";
            html.Append($"<p>{E(line)}</p>");
            md.AppendLine(line).AppendLine();
        }
    }

    private static void AppendAblation(StringBuilder html, StringBuilder md, ReportAblation ablation, string outputDirectory)
    {
        html.Append($"<h2>Sweeps: {E(ablation.Name)}</h2>");
        md.AppendLine($"## Sweeps: {ablation.Name}").AppendLine();
        foreach (string csv in Directory.GetFiles(ablation.Directory, "*.csv").Order(StringComparer.Ordinal))
        {
            string sweep = Path.GetFileNameWithoutExtension(csv);
            IReadOnlyList<AblationPoint> points = Ablation.ReadCsv(csv).GroupBy(p => p.Value).Select(g => g.Last()).ToList();
            html.Append($"<h3>{E(sweep)}</h3><table><thead><tr><th>{E(sweep)}</th><th>Avengers</th><th>best single</th><th>label router</th><th>random</th><th>oracle</th><th>samples/query</th></tr></thead><tbody>");
            md.AppendLine($"### {sweep}").AppendLine().AppendLine($"| {sweep} | Avengers | best single | label router | random | oracle | samples/query |").AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (AblationPoint p in points)
            {
                html.Append($"<tr><td>{E(p.Value)}</td><td>{F(p.Avengers)}</td><td>{F(p.BestSingle)}</td><td>{F(p.LabelRouter)}</td><td>{F(p.Random)}</td><td>{F(p.Oracle)}</td><td>{p.MeanSamplesUsed:F2}</td></tr>");
                md.AppendLine($"| {p.Value} | {F(p.Avengers)} | {F(p.BestSingle)} | {F(p.LabelRouter)} | {F(p.Random)} | {F(p.Oracle)} | {p.MeanSamplesUsed:F2} |");
            }
            html.Append("</tbody></table>");
            md.AppendLine();
            foreach (string png in new[] { Path.ChangeExtension(csv, ".png"), sweep == "alpha" ? Path.Combine(ablation.Directory, "pareto.png") : "" })
            {
                if (png.Length == 0 || !File.Exists(png)) continue;
                string copy = $"{ablation.Name}-{Path.GetFileName(png)}";
                File.Copy(png, Path.Combine(outputDirectory, copy), overwrite: true);
                html.Append($"<img alt=\"{E(sweep)} plot\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(png))}\">");
                md.AppendLine($"![{sweep}]({copy})").AppendLine();
            }
        }
    }

    private static void AppendClusters(StringBuilder html, StringBuilder md, IReadOnlyList<ClusterView> clusters, string? source)
    {
        html.Append($"<h2>Cluster browser</h2><p>{E(source ?? "")}: {clusters.Count} clusters; models ranked by smoothed accuracy, with the raw accuracy, its 95% interval and the items behind it.</p>");
        md.AppendLine("## Cluster browser").AppendLine().AppendLine($"{source}: {clusters.Count} clusters.").AppendLine();
        foreach (ClusterView c in clusters)
        {
            html.Append($"<details><summary>cluster {c.Cluster}: {c.Size} items, best {E(c.Models.Count > 0 ? c.Models[0].Model : "-")}</summary>");
            html.Append("<table><thead><tr><th>model</th><th>accuracy</th><th>95% interval</th><th>answered</th></tr></thead><tbody>");
            md.AppendLine($"### Cluster {c.Cluster} ({c.Size} items)").AppendLine().AppendLine("| model | accuracy | 95% interval | answered |").AppendLine("|---|---:|---:|---:|");
            foreach (var m in c.Models)
            {
                html.Append($"<tr><td>{E(m.Model)}</td><td>{F(m.Accuracy)}</td><td>[{m.Lower:F2}, {m.Upper:F2}]</td><td>{m.Answered}</td></tr>");
                md.AppendLine($"| {m.Model} | {F(m.Accuracy)} | [{m.Lower:F2}, {m.Upper:F2}] | {m.Answered} |");
            }
            html.Append("</tbody></table><ul class=\"examples\">").Append(string.Concat(c.Examples.Select(e => $"<li>{E(Short(e))}</li>"))).Append("</ul></details>");
            md.AppendLine().AppendLine(string.Join("\n", c.Examples.Select(e => $"- {Short(e).Replace("\n", " ")}"))).AppendLine();
        }
    }

    private static string Short(string text) => text.Length <= 240 ? text : text[..237] + "...";
    private static string F(double v) => double.IsNaN(v) ? "-" : v.ToString("F3", CultureInfo.InvariantCulture);
    private static string E(string text) => WebUtility.HtmlEncode(text);
}
