using Avengers.Evaluation;
using ScottPlot;

namespace Avengers.Reporting;

/// <summary>Draws one sweep as a PNG: Avengers against the best single model, the random and label routers and the oracle.</summary>
public static class AblationPlot
{
    /// <summary>The accuracy-cost plane of an alpha sweep: Avengers at every alpha against each single model.</summary>
    public static void SaveParetoFront(IReadOnlyList<AblationPoint> points, IReadOnlyDictionary<string, (double Accuracy, double Cost)> models, string path, string? title = null)
    {
        var plot = new Plot();
        var front = plot.Add.Scatter(points.Select(p => p.AvengersCost * 1000).ToArray(), points.Select(p => p.Avengers).ToArray());
        front.LegendText = "Avengers, alpha 0 to 1";
        front.LineWidth = 2;
        foreach (AblationPoint p in points) plot.Add.Text($"a={p.Value}", p.AvengersCost * 1000, p.Avengers).LabelFontSize = 10;
        foreach (var (name, (accuracy, cost)) in models)
        {
            var marker = plot.Add.Marker(cost * 1000, accuracy);
            marker.MarkerSize = 9;
            plot.Add.Text(name, cost * 1000, accuracy).LabelFontSize = 10;
        }
        plot.Axes.Margins(horizontal: 0.2, vertical: 0.08); // room for the labels of the outermost points
        plot.XLabel("cost per 1,000 queries");
        plot.YLabel("test accuracy");
        plot.Title(title ?? "accuracy against cost");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 1000, 600);
    }

    public static void Save(string sweep, IReadOnlyList<AblationPoint> points, string path, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        var plot = new Plot();
        double[] xs = Enumerable.Range(0, points.Count).Select(i => (double)i).ToArray();
        void Line(string label, Func<AblationPoint, double> value, LinePattern pattern)
        {
            var scatter = plot.Add.Scatter(xs, points.Select(value).ToArray());
            scatter.LegendText = label;
            scatter.LinePattern = pattern;
            scatter.LineWidth = 2;
        }
        Line("Avengers", p => p.Avengers, LinePattern.Solid);
        Line("best single (train)", p => p.BestSingle, LinePattern.Dashed);
        Line("label router", p => p.LabelRouter, LinePattern.Dotted);
        Line("random router", p => p.Random, LinePattern.Dashed);
        Line("oracle", p => p.Oracle, LinePattern.Dotted);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, points.Select(p => p.Value).ToArray());
        plot.XLabel(sweep);
        plot.YLabel("test accuracy");
        plot.Title(title ?? $"sweep: {sweep}");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 520);
    }
}
