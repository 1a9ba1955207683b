using System.IO.Compression;
using System.Text.Json;
using Avengers.Data;
using Avengers.Data.Import;
using Avengers.Answers;

namespace Avengers.Tests.Data;

/// <summary>Reads real files of the shared MMLU-Pro folder (never copied into the repository).</summary>
public class MmluProImporterTests
{
    private const string Model = "Meta-Llama-3_1-8B-Instruct";

    [Fact]
    public void Model_names_come_from_the_file_names()
    {
        Assert.Equal("Meta-Llama-3_1-8B-Instruct", MmluProImporter.ModelNameOf("model_outputs_Meta-Llama-3_1-8B-Instruct_5shots.zip"));
        Assert.Equal("Qwen1.5-72B-Chat", MmluProImporter.ModelNameOf("/x/model_outputs_Qwen1.5-72B-Chat_5shots.zip"));
        Assert.Null(MmluProImporter.ModelNameOf("notes.zip"));
    }

    [Fact]
    public void Imports_questions_with_options_gold_and_full_responses()
    {
        string source = TestData.RequireShared("mmlu-pro");
        string dir = TestData.TempDir();
        foreach (string model in new[] { Model, "gemma-7b" })
            File.CreateSymbolicLink(Path.Combine(dir, $"model_outputs_{model}_5shots.zip"), Path.Combine(source, $"model_outputs_{model}_5shots.zip"));
        string output = Path.Combine(dir, "mmlu-pro.jsonl");

        ImportReport report = MmluProImporter.Import(dir, output);
        Benchmark benchmark = BenchmarkReader.Read(output);

        Assert.Equal(12032, report.Records);
        Assert.Equal(["Meta-Llama-3_1-8B-Instruct", "gemma-7b"], benchmark.Models);
        BenchmarkRecord first = benchmark.Records[0];
        Assert.Equal(AnswerType.Choice, first.AnswerType);
        Assert.Matches("^[A-J]$", first.Gold!);
        Assert.InRange(first.Choices!.Count, 3, 10);
        Assert.True(first.Outputs[Model][0].Text!.Length > 20, "full response text is kept");
        Assert.Null(first.Outputs[Model][0].Answer); // the upstream 'pred' is not trusted
        Assert.Equal(14, benchmark.Records.Select(r => r.Dataset).Distinct().Count());
    }

    [Fact]
    public void Extraction_agrees_with_the_benchmark_authors_where_they_found_a_letter()
    {
        string zip = Path.Combine(TestData.RequireShared("mmlu-pro"), $"model_outputs_{Model}_5shots.zip");
        using ZipArchive archive = ZipFile.OpenRead(zip);
        using Stream stream = archive.Entries[0].Open();
        using JsonDocument document = JsonDocument.Parse(stream);
        // Upstream fills 'pred' with a random letter when its regex finds nothing, so agreement is
        // measured where both found an answer; separately, most responses must yield one.
        int total = 0, both = 0, agreed = 0;
        foreach (JsonElement item in document.RootElement.EnumerateArray())
        {
            total++;
            string text = item.GetProperty("generated_text").GetString()!;
            string pred = item.GetProperty("pred").ValueKind == JsonValueKind.String ? item.GetProperty("pred").GetString()! : "";
            string? ours = AnswerExtractor.Extract(text, AnswerType.Choice, item.GetProperty("options").EnumerateArray().Select(o => o.GetString()!).ToList());
            if (ours is null || pred.Length != 1) continue;
            both++;
            if (ours == pred) agreed++;
        }
        double agreement = (double)agreed / both, coverage = (double)both / total;
        Assert.True(agreement > 0.98, $"agreement {agreement:P1} over {both} responses");
        Assert.True(coverage > 0.88, $"an answer was found in only {coverage:P1} of {total} responses");
    }
}
