using Avengers.Evaluation;
using ScottPlot;

namespace Avengers.Reporting;

/// <summary>Draws one sweep as a PNG: Avengers against the best single model, the random and label routers and the oracle.</summary>
public static class AblationPlot
{
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
