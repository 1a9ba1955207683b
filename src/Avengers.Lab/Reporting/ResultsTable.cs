using System.Globalization;
using System.Net;
using System.Text;
using Avengers.Evaluation;

namespace Avengers.Reporting;

/// <summary>
/// The experiment's results table, built once (which systems, in which order, named how) and rendered for the
/// terminal (fits 120 columns, no Markdown emphasis), as Markdown and as HTML.
/// </summary>
public sealed record ResultsTable(IReadOnlyList<string> Datasets, IReadOnlyList<int> DatasetSizes, IReadOnlyList<ResultsRow> Rows)
{
    public static ResultsTable From(ExperimentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = new List<ResultsRow>();
        void Add(ResultsRowKind kind, string name, double overall, IReadOnlyDictionary<string, double> perDataset)
            => rows.Add(new ResultsRow(kind, name, overall, result.Datasets.Select(d => perDataset.TryGetValue(d, out double v) ? v : double.NaN).ToList()));
        foreach (var (model, report) in result.ModelReports) Add(ResultsRowKind.Model, model, report.Accuracy, report.PerDataset);
        foreach (var (model, report) in result.References) Add(ResultsRowKind.Reference, $"{model} (reference)", report.Accuracy, report.PerDataset);
        Add(ResultsRowKind.BestSingle, $"best single: {result.BestSingle.Model}", result.BestSingle.Accuracy, result.BestSingle.PerDataset);
        Add(ResultsRowKind.Random, "random router", result.Random.Accuracy, result.Random.PerDataset);
        if (result.LabelRouter is not null) Add(ResultsRowKind.LabelRouter, "label router (told the dataset)", result.LabelRouter.Accuracy, result.LabelRouter.PerDataset);
        Add(ResultsRowKind.Avengers, "avengers", result.Avengers.Accuracy, result.Avengers.PerDataset);
        Add(ResultsRowKind.Oracle, "oracle", result.Oracle.Accuracy, result.Oracle.PerDataset);
        return new ResultsTable(result.Datasets, result.Datasets.Select(d => result.DatasetSizes[d]).ToList(), rows);
    }

    public static string Cell(double value) => double.IsNaN(value) ? "-" : value.ToString("F3", CultureInfo.InvariantCulture);

    private IEnumerable<string> Header() => ["system", "overall", .. Datasets.Select((d, i) => $"{Short(d)} ({DatasetSizes[i]})")];

    private static IEnumerable<string> Cells(ResultsRow row) => [row.System, Cell(row.Overall), .. row.PerDataset.Select(Cell)];

    /// <summary>
    /// Lines for a terminal no wider than <paramref name="width"/>: one table with a column per dataset when it fits;
    /// otherwise the systems overall, then a row per dataset (best single, avengers, gain, label router, oracle).
    /// </summary>
    public IReadOnlyList<string> ToTerminal(int width = 120)
    {
        string[] header = [.. Header()];
        int[] widths = header.Select((h, i) => Math.Max(h.Length, Rows.Max(r => Cells(r).ElementAt(i).Length))).ToArray();
        var lines = new List<string>();
        if (widths.Sum() + 3 * widths.Length + 1 <= width)
        {
            lines.Add("| " + string.Join(" | ", header.Select((h, i) => i == 0 ? h.PadRight(widths[i]) : h.PadLeft(widths[i]))) + " |");
            lines.Add("|" + string.Join("|", widths.Select((w, i) => i == 0 ? new string('-', w + 2) : new string('-', w + 1) + ":")) + "|");
            foreach (ResultsRow row in Rows)
                lines.Add("| " + string.Join(" | ", Cells(row).Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))) + " |");
            return lines;
        }
        int nameWidth = Math.Max(12, Rows.Max(r => r.System.Length));
        lines.Add($"{"system".PadRight(nameWidth)}  overall");
        foreach (ResultsRow row in Rows) lines.Add($"{row.System.PadRight(nameWidth)}  {Cell(row.Overall),7}");
        lines.Add("");
        ResultsRow? Of(ResultsRowKind kind) => Rows.FirstOrDefault(r => r.Kind == kind);
        ResultsRow best = Of(ResultsRowKind.BestSingle)!, avengers = Of(ResultsRowKind.Avengers)!, oracle = Of(ResultsRowKind.Oracle)!;
        ResultsRow? label = Of(ResultsRowKind.LabelRouter);
        int datasetWidth = Math.Max(7, Datasets.Max(d => Short(d).Length));
        lines.Add($"{"dataset".PadRight(datasetWidth)}  {"items",5}  {"best single",11}  {"avengers",8}  {"gain",6}  {"label router",12}  {"oracle",6}");
        for (int i = 0; i < Datasets.Count; i++)
        {
            double a = avengers.PerDataset[i], b = best.PerDataset[i];
            lines.Add($"{Short(Datasets[i]).PadRight(datasetWidth)}  {DatasetSizes[i],5}  {Cell(b),11}  {Cell(a),8}  {(a - b) * 100,6:+0.0;-0.0}  {Cell(label?.PerDataset[i] ?? double.NaN),12}  {Cell(oracle.PerDataset[i]),6}");
        }
        lines.Add("(gain: avengers minus the best single model, in points; every model per dataset: -o results.json, or 'avengers report')");
        return lines;
    }

    /// <summary>GitHub-flavoured Markdown, the ensemble's row in bold.</summary>
    public string ToMarkdown()
    {
        string[] header = [.. Header()];
        var md = new StringBuilder();
        md.AppendLine("| " + string.Join(" | ", header) + " |");
        md.AppendLine("|" + string.Join("|", header.Select((_, i) => i == 0 ? "---" : "---:")) + "|");
        foreach (ResultsRow row in Rows)
            md.AppendLine("| " + string.Join(" | ", row.Kind == ResultsRowKind.Avengers ? Cells(row).Select(c => $"**{c}**") : Cells(row)) + " |");
        return md.ToString();
    }

    /// <summary>An HTML table, the ensemble's row with the class <c>avengers</c>.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder("<table><thead><tr>");
        foreach (string h in Header()) html.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (ResultsRow row in Rows)
        {
            html.Append(row.Kind == ResultsRowKind.Avengers ? "<tr class=\"avengers\">" : "<tr>");
            foreach (string c in Cells(row)) html.Append("<td>").Append(WebUtility.HtmlEncode(c)).Append("</td>");
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    private static string Short(string dataset) => dataset.StartsWith("agentverse-", StringComparison.Ordinal) ? dataset["agentverse-".Length..] : dataset;
}
