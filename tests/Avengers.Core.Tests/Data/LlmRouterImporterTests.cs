using Avengers.Data;
using Avengers.Data.Import;
using Avengers.Answers;

namespace Avengers.Tests.Data;

public class LlmRouterImporterTests
{
    [Fact]
    public void Imports_the_shared_files_with_split_tasks_scores_and_options()
    {
        string output = Path.Combine(TestData.TempDir(), "llmrouter.jsonl");
        ImportReport report = LlmRouterImporter.Import(TestData.RequireShared("llmrouter"), output);
        Benchmark benchmark = BenchmarkReader.Read(output);

        Assert.Equal(6108, report.Records);
        Assert.Equal(5608, benchmark.Records.Count(r => r.Split == "train"));
        Assert.Equal(500, benchmark.Records.Count(r => r.Split == "test"));
        Assert.Equal(9, benchmark.Models.Count);
        Assert.Equal(14, benchmark.Records.Select(r => r.Dataset).Distinct().Count());
        Assert.DoesNotContain(benchmark.Records, r => r.Dataset == "unknown");
        BenchmarkRecord mmlu = benchmark.Records.First(r => r.Dataset == "mmlu" && r.Split == "test");
        Assert.Equal(AnswerType.Choice, mmlu.AnswerType);
        Assert.Equal(4, mmlu.Choices!.Count);
        Assert.Matches("^[A-D]$", mmlu.Gold!);
        BenchmarkRecord code = benchmark.Records.First(r => r.Dataset == "mbpp");
        Assert.Equal(AnswerType.Code, code.AnswerType);
        Assert.Null(code.Choices);                            // mbpp keeps its tests there, not options
        Assert.All(benchmark.Records, r => Assert.All(r.Outputs.Values, s => Assert.InRange(s.Single().Score!.Value, 0, 1)));
    }

    [Fact]
    public void Malformed_metadata_names_file_and_line()
    {
        string dir = TestData.TempDir();
        File.WriteAllText(Path.Combine(dir, "train.json"), """[{"question": "q1", "scores": {"m": 1}}]""");
        File.WriteAllText(Path.Combine(dir, "test.json"), "[]");
        File.WriteAllLines(Path.Combine(dir, "default_query_train.jsonl"), ["""{"task_name": "t", "query": "q1", "metric": "em_mc"}""", "{broken"]);
        File.WriteAllText(Path.Combine(dir, "default_query_test.jsonl"), "");
        var error = Assert.Throws<BenchmarkFormatException>(() => LlmRouterImporter.Import(dir, Path.Combine(dir, "out.jsonl")));
        Assert.EndsWith("default_query_train.jsonl", error.File);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Missing_source_file_is_a_clear_error()
    {
        var error = Assert.Throws<FileNotFoundException>(() => LlmRouterImporter.Import(TestData.TempDir(), Path.Combine(TestData.TempDir(), "out.jsonl")));
        Assert.Contains("default_query_train.jsonl", error.Message);
    }
}
