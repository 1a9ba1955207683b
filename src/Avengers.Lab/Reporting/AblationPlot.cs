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
        var all = plot.Add.ScatterPoints(points.Select(p => p.AvengersCost * 1000).ToArray(), points.Select(p => p.Avengers).ToArray());
        all.LegendText = "Avengers, alpha 0 to 1";
        // The Pareto front: points no other point beats on both accuracy and cost.
        AblationPoint[] front = ParetoFront(points);
        var line = plot.Add.Scatter(front.Select(p => p.AvengersCost * 1000).ToArray(), front.Select(p => p.Avengers).ToArray());
        line.LegendText = "Pareto front";
        line.LineWidth = 2;
        foreach (AblationPoint p in points) plot.Add.Text($"a={p.Value}", p.AvengersCost * 1000, p.Avengers).LabelFontSize = 10;
        foreach (var (name, (accuracy, cost)) in models)
        {
            var marker = plot.Add.Marker(cost * 1000, accuracy);
            marker.MarkerSize = 9;
            plot.Add.Text(name, cost * 1000, accuracy).LabelFontSize = 10;
        }
        // Room on the right for the labels of the most expensive points.
        double maxCost = points.Select(p => p.AvengersCost).Concat(models.Values.Select(m => m.Cost)).Where(double.IsFinite).DefaultIfEmpty(0).Max() * 1000;
        if (maxCost > 0) plot.Axes.SetLimitsX(0, maxCost * 1.3);
        plot.XLabel("cost per 1,000 queries (USD)");
        plot.YLabel("test accuracy");
        plot.Title(title ?? "accuracy against cost");
        plot.ShowLegend(Alignment.LowerRight);
        IO.AtomicFile.WriteVia(path, temp => plot.SavePng(temp, 1000, 600));
    }

    /// <summary>Points not dominated by another (at most the cost and at least the accuracy, one of them strictly), by cost.</summary>
    public static AblationPoint[] ParetoFront(IReadOnlyList<AblationPoint> points)
        => points.Where(p => !double.IsNaN(p.AvengersCost) && !points.Any(q => !double.IsNaN(q.AvengersCost)
                && q.AvengersCost <= p.AvengersCost && q.Avengers >= p.Avengers && (q.AvengersCost < p.AvengersCost || q.Avengers > p.Avengers)))
            .OrderBy(p => p.AvengersCost).ToArray();

    /// <summary>Draws a sweep: Avengers, the best single model, the label router, random and oracle against the swept value.</summary>
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
        IO.AtomicFile.WriteVia(path, temp => plot.SavePng(temp, 900, 520));
    }
}
