using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Avengers.Tests.Cli.Commands;

/// <summary>collect's budget covers the whole output file, bad options never touch it, and refusals are recorded once.</summary>
public class CollectBudgetTests
{
    // 1,000 input and 1,000 output tokens per call at 7.5 USD per million each: 0.015 USD per pair.
    private static Task Priced(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            id = "chatcmpl-x",
            @object = "chat.completion",
            created = 0,
            model = "m",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = "The answer is 4." }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 1000, completion_tokens = 1000, total_tokens = 2000 },
        }));
    }

    private static (string Questions, string Config, string Output) Setup(string baseUrl, int questions = 40)
    {
        string dir = TestData.TempDir();
        string file = Path.Combine(dir, "questions.jsonl");
        File.WriteAllLines(file, Enumerable.Range(0, questions).Select(i => $$"""{"id": "q{{i}}", "question": "What is {{i}} plus {{i}}?", "answer": "{{2 * i}}"}"""));
        string config = Path.Combine(dir, "avengers.yaml");
        File.WriteAllText(config, $"""
            backends:
              - name: m
                base_url: {baseUrl}
                retries: 0
                max_concurrency: 8
                price_input_per_million: 7.5
                price_output_per_million: 7.5
            """);
        return (file, config, Path.Combine(dir, "out.jsonl"));
    }

    private static double Spent(string output) => File.ReadLines(output).Sum(line =>
    {
        using JsonDocument d = JsonDocument.Parse(line);
        return d.RootElement.GetProperty("outputs").EnumerateObject().Sum(m => m.Value.EnumerateArray()
            .Sum(s => (s.TryGetProperty("input_tokens", out var i) ? i.GetInt64() : 0) + (s.TryGetProperty("output_tokens", out var o) ? o.GetInt64() : 0))) * 7.5 / 1e6;
    });

    [Fact]
    public async Task The_budget_is_never_passed_and_covers_what_the_file_already_cost()
    {
        await using var backend = await ScriptedBackend.StartAsync(async (_, c) => { await Task.Delay(50); await Priced(c); });
        var (questions, config, output) = Setup(backend.BaseUrl);

        var (exit, stdout, stderr) = CliProcess.Run(null, "collect", "-b", questions, "-c", config, "--max-cost", "0.1", "-o", output);
        Assert.True(exit == 0, stderr + stdout);
        Assert.Contains("stopped before", stdout);
        double first = Spent(output);
        Assert.InRange(first, 0.015, 0.1);

        // The same budget again: the file already spent most of it, so at most what is left is spent.
        var (again, stdout2, stderr2) = CliProcess.Run(null, "collect", "-b", questions, "-c", config, "--max-cost", "0.1", "-o", output);
        Assert.True(again == 0, stderr2 + stdout2);
        Assert.Contains("already cost", stderr2);
        Assert.InRange(Spent(output), first, 0.1);
    }

    [Theory]
    [InlineData("--max-cost", "0")]
    [InlineData("--max-cost", "-1")]
    [InlineData("--max-cost", "NaN")]
    [InlineData("--samples", "0")]
    [InlineData("--limit", "0")]
    public void Bad_options_are_refused_before_the_output_file_is_touched(string option, string value)
    {
        var (questions, config, output) = Setup("http://127.0.0.1:9/v1");
        var (exit, _, stderr) = CliProcess.Run(null, "collect", "-b", questions, "-c", config, option, value, "-o", output);
        Assert.Equal(2, exit);
        Assert.Contains(option, stderr);
        Assert.False(File.Exists(output), "the output file was created");
    }

    [Fact]
    public async Task A_backend_that_refuses_every_request_is_recorded_once_and_the_run_fails_with_the_reason()
    {
        await using var backend = await ScriptedBackend.StartAsync((_, c) => ScriptedBackend.Fail(c, 400, message: "bad prompt"));
        var (questions, config, output) = Setup(backend.BaseUrl, questions: 12);

        for (int run = 0; run < 3; run++)
        {
            var (exit, stdout, stderr) = CliProcess.Run(null, "collect", "-b", questions, "-c", config, "-o", output);
            if (run == 0)
            {
                Assert.True(exit == 1, stderr + stdout);
                Assert.Contains("every sample failed", stderr);
                Assert.Contains("HTTP 400", stderr);
                Assert.DoesNotContain("next: avengers calibrate", stdout);
            }
        }
        Assert.Equal(12, File.ReadLines(output).Count()); // one line per refused pair, however many reruns
        Assert.Equal(12, backend.Calls);
    }

    [Fact]
    public void A_csv_questions_file_points_to_import()
    {
        string dir = TestData.TempDir();
        string csv = Path.Combine(dir, "questions.csv");
        File.WriteAllLines(csv, ["question,answer", "What is 2 plus 2?,4"]);
        var (_, config, output) = Setup("http://127.0.0.1:9/v1");
        var (exit, _, stderr) = CliProcess.Run(null, "collect", "-b", csv, "-c", config, "-o", output);
        Assert.NotEqual(0, exit);
        Assert.Contains("avengers import questions " + csv, stderr);
        Assert.False(File.Exists(output));
        _ = CultureInfo.InvariantCulture;
    }
}
