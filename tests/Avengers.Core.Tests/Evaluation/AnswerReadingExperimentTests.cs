using Avengers.Calibration;
using Avengers.Data;
using Avengers.Evaluation;
using Avengers.Answers;

namespace Avengers.Tests.Evaluation;

/// <summary>
/// Reading the answers models really write, end to end through the experiment: JSON-wrapped answers against
/// Python-literal gold answers, per-model reports of unreadable responses, and grading rules given as data.
/// </summary>
public class AnswerReadingExperimentTests
{
    private static string Write(string dir, Func<int, string, string> textOf, string[] models, string answerType = "exact")
    {
        var records = new List<BenchmarkRecord>();
        for (int i = 0; i < 120; i++)
        {
            string value = $"w{i}x{i % 7}";
            records.Add(new BenchmarkRecord
            {
                Id = i.ToString(),
                Dataset = i % 2 == 0 ? "strings" : "lists",
                Query = $"predict the output of function number {i} on input {i % 5}",
                AnswerType = AnswersOf(answerType),
                Gold = i % 2 == 0 ? $"'{value}'" : $"[{i}, '{value}']",
                Outputs = models.ToDictionary(m => m, m => (IReadOnlyList<Sample>)[new Sample(textOf(i, m))]),
            });
        }
        string path = Path.Combine(dir, "crux.jsonl");
        BenchmarkWriter.Write(path, records);
        return path;
    }

    private static AnswerType AnswersOf(string name) => AnswerTypes.TryParse(name, out AnswerType type) ? type : throw new ArgumentException(name);

    private static string Literal(int i, bool python) => i % 2 == 0
        ? (python ? $"'w{i}x{i % 7}'" : $"w{i}x{i % 7}")
        : (python ? $"({i}, 'w{i}x{i % 7}')" : $"[{i}, \"w{i}x{i % 7}\"]");

    [Fact]
    public async Task Json_answers_are_graded_against_python_literals_and_unreadable_models_are_reported()
    {
        string dir = TestData.TempDir();
        string path = Write(dir, (i, model) => model switch
        {
            // Right on 4 of 5, as JSON with a reasoning field (strings bare, lists as JSON arrays).
            "json" => i % 5 == 4 ? "{\"reasoning\": \"...\", \"answer\": \"nope\"}" : $"{{\"reasoning\": \"step by step\\nthen done\", \"answer\": {(i % 2 == 0 ? $"\"{Literal(i, false)}\"" : Literal(i, false))}}}",
            // Right on 3 of 5, in CRUXEval's own format with Python spellings (tuples for lists).
            "tagged" => i % 5 >= 3 ? "[ANSWER] assert f(1) == 'other' [/ANSWER]" : $"[ANSWER] assert f({i}) == {Literal(i, true)} [/ANSWER]",
            // Never states an answer that can be read apart from prose.
            _ => "I would need to run the function to know; it manipulates the string in several ways that are hard to follow.",
        }, ["json", "tagged", "prose"]);

        var options = new ExperimentOptions { Calibration = new CalibrationOptions { K = 2, Partitions = 1 } };
        var (result, _) = await Experiment.RunAsync(BenchmarkReader.Read(path), new HashingEmbedder(), "hashing", options);

        Assert.InRange(result.Models["json"], 0.7, 0.9);
        Assert.InRange(result.Models["tagged"], 0.5, 0.7);
        Assert.Equal(0, result.Models["prose"]);
        Assert.True(result.Avengers.Accuracy >= result.Models["json"] - 0.05, $"avengers {result.Avengers.Accuracy:F3}");

        UnreadableReport prose = result.Unreadable!["prose"];
        Assert.Equal(120, prose.Responses);
        Assert.Equal(120, prose.Unreadable);
        Assert.Equal(2, prose.Examples.Count);
        Assert.Equal(0, result.Unreadable["json"].Unreadable);
        Assert.Contains(result.Warnings!, w => w.StartsWith("prose:", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Warnings!, w => w.StartsWith("json:", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Warnings!, w => w.StartsWith("dataset ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Answers_that_are_read_but_never_match_their_gold_answer_are_warned_about()
    {
        // Every model states an answer, in a form that never equals the gold literal (a prefix the gold lacks).
        string dir = TestData.TempDir();
        string path = Write(dir, (i, model) => $"The answer is out-{i}-{model}.", ["a", "b"]);
        var (result, _) = await Experiment.RunAsync(BenchmarkReader.Read(path), new HashingEmbedder(), "hashing", new ExperimentOptions { Calibration = new CalibrationOptions { K = 2, Partitions = 1 } });

        Assert.Equal(0, result.Unreadable!["a"].Unreadable);
        string warning = Assert.Single(result.Warnings!, w => w.StartsWith("dataset strings:", StringComparison.Ordinal));
        Assert.Contains("match their gold answer", warning);
        Assert.Contains("against gold 'w", warning);
        Assert.Contains(result.Warnings!, w => w.StartsWith("dataset lists:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_grading_rule_beside_the_benchmark_reads_a_quirky_format_without_a_build()
    {
        string dir = TestData.TempDir();
        string path = Write(dir, (i, model) => model == "quirky"
            ? $"Thinking... RESULT<<{Literal(i, true)}>> and that's final"
            : $"The answer is {Literal(i, true)}.", ["quirky", "plain"]);

        var before = await Experiment.RunAsync(BenchmarkReader.Read(path), new HashingEmbedder(), "hashing", new ExperimentOptions { Calibration = new CalibrationOptions { K = 2, Partitions = 1 } });
        Assert.True(before.Result.Models["quirky"] < 0.05, $"without the rule: {before.Result.Models["quirky"]:F3}");

        File.WriteAllText(GradingRulesFile.BesidePath(path), "\"*\":\n  regex: 'RESULT<<(?<answer>.*?)>>'\n");
        Benchmark withRule = BenchmarkReader.Read(path);
        Assert.All(withRule.Records, r => Assert.NotNull(r.Grading));
        var after = await Experiment.RunAsync(withRule, new HashingEmbedder(), "hashing", new ExperimentOptions { Calibration = new CalibrationOptions { K = 2, Partitions = 1 } });
        Assert.Equal(1.0, after.Result.Models["quirky"], 6);
        // The rule is the dataset's, for every model: the plain model's answers no longer match the pattern.
        Assert.Equal(0.0, after.Result.Models["plain"], 6);
    }

    [Fact]
    public void Invalid_grading_rules_are_reported_with_line_and_field_all_at_once()
    {
        string dir = TestData.TempDir();
        string path = Path.Combine(dir, "rules.grading.yaml");
        File.WriteAllText(path, "gsm8k:\n  regex: '(unclosed'\n  numeric_tolerance: lots\n  colour: blue\n");
        var error = Assert.Throws<BenchmarkFormatException>(() => GradingRulesFile.Load(path));
        Assert.Contains("numeric_tolerance", error.Message);
        Assert.Contains("colour", error.Message);
        Assert.Contains("not a valid regular expression", error.Message);
        Assert.Contains("rules.grading.yaml", error.Message);
    }

    [Fact]
    public void A_records_own_grading_object_is_read_and_checked()
    {
        string dir = TestData.TempDir();
        string path = Path.Combine(dir, "b.jsonl");
        File.WriteAllText(path, "{\"id\": 1, \"dataset\": \"d\", \"query\": \"q\", \"answer_type\": \"exact\", \"gold\": \"Abc\", \"grading\": {\"case_sensitive\": true, \"json_field\": \"out\"}, \"outputs\": {\"m\": [{\"text\": \"{\\\"out\\\": \\\"Abc\\\"}\"}]}}\n");
        BenchmarkRecord record = BenchmarkReader.Read(path).Records[0];
        Assert.True(record.Grading!.CaseSensitive);
        Assert.Equal("out", record.Grading.JsonField);
        Assert.Equal("Abc", Grader.AnswerOf(record, record.Outputs["m"][0]));

        File.WriteAllText(path, "{\"id\": 1, \"dataset\": \"d\", \"query\": \"q\", \"grading\": {\"numeric_tolerance\": \"x\"}, \"outputs\": {}}\n");
        var error = Assert.Throws<BenchmarkFormatException>(() => BenchmarkReader.Read(path));
        Assert.Contains("grading.numeric_tolerance", error.Message);
    }
}
