using Avengers.Reporting;

namespace Avengers.Tests.Reporting;

/// <summary>One results table, three renderings: the terminal's fits 120 columns and has no Markdown emphasis.</summary>
public class ResultsTableTests
{
    private static ResultsTable Table(int datasets)
    {
        string[] names = Enumerable.Range(0, datasets).Select(i => $"dataset-number-{i}").ToArray();
        ResultsRow Row(ResultsRowKind kind, string name, double value) => new(kind, name, value, names.Select((_, i) => value + i / 1000.0).ToList());
        return new ResultsTable(names, names.Select(_ => 50).ToList(),
        [
            Row(ResultsRowKind.Model, "qwen2.5-7b-instruct", 0.5), Row(ResultsRowKind.BestSingle, "best single: qwen2.5-7b-instruct", 0.5),
            Row(ResultsRowKind.Random, "random router", 0.3), Row(ResultsRowKind.LabelRouter, "label router (told the dataset)", 0.55),
            Row(ResultsRowKind.Avengers, "avengers", 0.6), Row(ResultsRowKind.Oracle, "oracle", 0.7),
        ]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(14)]
    public void The_terminal_table_fits_120_columns_and_shows_every_system_and_dataset(int datasets)
    {
        IReadOnlyList<string> lines = Table(datasets).ToTerminal();

        Assert.All(lines, line => Assert.True(line.Length <= 120, $"{line.Length} columns: {line}"));
        Assert.DoesNotContain(lines, line => line.Contains("**", StringComparison.Ordinal));
        foreach (string system in new[] { "avengers", "oracle", "random router", "best single: qwen2.5-7b-instruct" })
            Assert.Contains(lines, line => line.StartsWith("| " + system, StringComparison.Ordinal) || line.StartsWith(system, StringComparison.Ordinal));
        for (int i = 0; i < datasets; i++) Assert.Contains(lines, line => line.Contains($"dataset-number-{i}", StringComparison.Ordinal));
    }

    [Fact]
    public void Few_datasets_give_one_wide_table_and_many_give_rows_per_dataset()
    {
        Assert.Equal(2 + 6, Table(2).ToTerminal().Count);
        IReadOnlyList<string> many = Table(14).ToTerminal();
        Assert.Contains(many, line => line.StartsWith("dataset-number-13", StringComparison.Ordinal) && line.Contains("+10.0", StringComparison.Ordinal));
    }

    [Fact]
    public void Markdown_bolds_the_ensemble_and_html_marks_its_row()
    {
        ResultsTable table = Table(3);
        string markdown = table.ToMarkdown();
        Assert.Contains("| **avengers** | **0.600** | **0.600** | **0.601** | **0.602** |", markdown);
        Assert.Single(markdown.Split('\n'), line => line.Contains("**", StringComparison.Ordinal));
        string html = table.ToHtml();
        Assert.Contains("<tr class=\"avengers\"><td>avengers</td><td>0.600</td>", html);
        Assert.Equal(6, html.Split("<tr").Length - 2); // six rows after the header row
    }
}
