using System.IO.Compression;
using System.Text.Json;
using Avengers.Calibration;
using Avengers.Data;
using Avengers.Evaluation;
using Avengers.Answers;

namespace Avengers.Tests.Evaluation;

public class GradingProtocolTests
{
    private static BenchmarkRecord Question(string response, int options = 4) => new()
    {
        Id = "q1",
        Dataset = "law",
        Query = "Which?",
        AnswerType = AnswerType.Choice,
        Gold = "C",
        Choices = Enumerable.Range(0, options).Select(i => $"option {i}").ToList(),
        Outputs = new Dictionary<string, IReadOnlyList<Sample>> { ["m"] = [new Sample(Text: response)] },
    };

    [Theory]
    [InlineData("Step by step... The answer is (C).", "C")]
    [InlineData("Answer: B\nbecause", "B")]
    [InlineData("Reasoning that ends without the phrase, pointing at option D", "D")]
    [InlineData("no letter at all here", null)]
    [InlineData("I think so", "I")] // faithful to the script: a lone pronoun reads as option I
    public void Reads_the_letter_the_benchmark_script_reads(string response, string? letter)
        => Assert.Equal(letter, MmluProProtocol.ExtractLetter(response));

    [Fact]
    public void An_unreadable_response_counts_as_a_random_guess_under_the_benchmark_protocol_and_wrong_when_strict()
    {
        BenchmarkRecord record = Question("not sure about this one.", options: 4);
        PreparedRecord strict = PreparedRecord.Prepare(record, ["m"]);
        PreparedRecord lenient = PreparedRecord.Prepare(record, ["m"], GradingProtocol.MmluPro);
        Assert.Equal(0, strict.Correctness("m"));
        Assert.Equal(0.25, lenient.Correctness("m"), 6);
        Assert.Null(lenient.Answers["m"][0]); // the vote still sees no answer: grading does not change the method
    }

    [Fact]
    public void A_recorded_score_wins_over_every_protocol()
    {
        BenchmarkRecord record = Question("whatever") with { Outputs = new Dictionary<string, IReadOnlyList<Sample>> { ["m"] = [new Sample(Text: "The answer is (A).", Score: 1)] } };
        Assert.Equal(1, PreparedRecord.Prepare(record, ["m"], GradingProtocol.MmluPro).Correctness("m"));
    }

    [Theory]
    [InlineData(null, GradingProtocol.Strict)]
    [InlineData("strict", GradingProtocol.Strict)]
    [InlineData("MMLU-Pro", GradingProtocol.MmluPro)]
    public void Parses_protocol_names(string? text, GradingProtocol expected) => Assert.Equal(expected, GradingProtocols.Parse(text));

    [Fact]
    public void Unknown_protocol_names_are_refused_with_the_choices()
        => Assert.Contains("strict or mmlu-pro", Assert.Throws<ArgumentException>(() => GradingProtocols.Parse("lenient")).Message);

    [Fact]
    public void Agrees_with_every_letter_the_benchmark_authors_recorded()
    {
        // Their 'pred' is empty where their extraction gave up; wherever it holds a letter, ours must be the same.
        string zip = Path.Combine(TestData.RequireShared("mmlu-pro"), "model_outputs_Qwen1.5-72B-Chat_5shots.zip");
        using ZipArchive archive = ZipFile.OpenRead(zip);
        using Stream stream = archive.Entries[0].Open();
        using JsonDocument document = JsonDocument.Parse(stream);
        int compared = 0, disagreed = 0;
        foreach (JsonElement item in document.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("pred", out JsonElement pred) || pred.ValueKind != JsonValueKind.String || pred.GetString()!.Length != 1) continue;
            compared++;
            if (MmluProProtocol.ExtractLetter(item.GetProperty("generated_text").GetString()) != pred.GetString()) disagreed++;
        }
        Assert.True(compared > 9000, $"only {compared} recorded letters");
        Assert.Equal(0, disagreed);
    }

    [Fact]
    public async Task The_experiment_grades_test_responses_with_the_chosen_protocol_and_says_so()
    {
        // "m" never states its answer in a form this project reads; the benchmark script reads the last letter.
        var records = Enumerable.Range(0, 40).Select(i => new BenchmarkRecord
        {
            Id = $"{i:D2}",
            Dataset = "law",
            Query = $"question {i}",
            AnswerType = AnswerType.Choice,
            Gold = "C",
            Choices = ["w", "x", "y", "z"],
            Outputs = new Dictionary<string, IReadOnlyList<Sample>> { ["m"] = [new Sample(Text: i % 2 == 0 ? "so C" : "no idea")] },
        }).ToList();
        string path = Path.Combine(TestData.TempDir(), "graded.jsonl");
        BenchmarkWriter.Write(path, records);
        Benchmark benchmark = BenchmarkReader.Read(path);
        var strict = new ExperimentOptions { Calibration = new CalibrationOptions { K = 1, TopN = 1 } };

        var (a, _) = await Experiment.RunAsync(benchmark, new HashingEmbedder(), "hashing", strict);
        var (b, _) = await Experiment.RunAsync(benchmark, new HashingEmbedder(), "hashing", strict with { Grading = GradingProtocol.MmluPro });

        Assert.Equal(0, a.Avengers.Accuracy, 6);
        // Each test item scores 1 (read as C) or 0.25 (a guess among four); the answer is m's, graded the same way.
        Assert.Equal(b.Models["m"], b.Avengers.Accuracy, 6);
        Assert.InRange(b.Avengers.Accuracy, 0.3, 0.95);
        double readAsC = (b.Avengers.Accuracy - 0.25) * b.Setup.TestItems / 0.75; // a whole number of items
        Assert.Equal(Math.Round(readAsC), readAsC, 6);
        Assert.Equal("strict", a.Setup.Grading);
        Assert.Equal("mmlu-pro", b.Setup.Grading);
        Assert.Contains(b.Notes, n => n.Contains("mmlu-pro protocol", StringComparison.Ordinal));
    }
}
