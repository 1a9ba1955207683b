using System.Text;
using Avengers.Collection;
using Avengers.Data;
using Avengers.Data.Import;

namespace Avengers.Tests.Collection;

/// <summary>Importers refuse bad input with file, line and field, and never replace the previous output then.</summary>
public class ImporterRefusalTests
{
    private const string Previous = "{\"id\": \"old\", \"query\": \"kept\"}\n";

    private static (string Source, string Output) Files(string name, byte[] content)
    {
        string dir = TestData.TempDir();
        string source = Path.Combine(dir, name);
        File.WriteAllBytes(source, content);
        string output = Path.Combine(dir, "questions.jsonl");
        File.WriteAllText(output, Previous);
        return (source, output);
    }

    public static TheoryData<string, string, string> RefusedQuestionFiles => new()
    {
        { "q.jsonl", """{"question": "Write a poem", "answer_type": "poem"}""", "q.jsonl:1: field 'answer_type': unknown answer type 'poem'" },
        { "q.jsonl", """{"question": "Pick one", "choices": ["yes", "no"], "answer": 99}""", "field 'answer': '99' is not an option of this 2-option question" },
        { "q.jsonl", """{"question": "Pick one", "choices": ["yes", "no"], "answer": -1}""", "'-1' is not an option" },
        { "q.jsonl", """{"question": "Pick one", "choices": ["yes", "no"], "answer": 1e400}""", "is not an option" },
        { "q.jsonl", """{"question": "Pick one", "choices": ["yes", "no"], "answer": "Z"}""", "'Z' is not an option" },
        { "q.jsonl", """{"question": "Pick one", "choices": ["yes", "no"], "answer": ""}""", "'' is not an option" },
        { "q.csv", "question,answer\n\"What is 2 plus 2?,4\nWhat is 3 plus 3?,6\nWhat is 4 plus 4?,8\n", "q.csv:2: field '(row)': a quoted field is not closed" },
        { "q.parquet", "this is not parquet at all, just text", "q.parquet:1: field '(file)': not a Parquet file" },
    };

    [Theory]
    [MemberData(nameof(RefusedQuestionFiles))]
    public async Task Bad_question_files_are_refused_naming_file_line_and_field(string name, string content, string expected)
    {
        var (source, output) = Files(name, Encoding.UTF8.GetBytes(content));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => QuestionImporter.ImportAsync(source, output));
        Assert.IsType<BenchmarkFormatException>(error);
        Assert.Contains(expected, error.Message);
        Assert.Equal(Previous, File.ReadAllText(output));
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_with_its_line_not_replaced()
    {
        byte[] bad = [.. Encoding.UTF8.GetBytes("{\"question\": \"fine\"}\n{\"question\": \"caf"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}\n")];
        foreach (string name in new[] { "q.jsonl", "q.csv" })
        {
            byte[] content = name.EndsWith(".csv") ? [.. Encoding.UTF8.GetBytes("question\nfine\ncaf"), 0xC3, 0x28, (byte)'\n'] : bad;
            var (source, output) = Files(name, content);
            var error = await Assert.ThrowsAsync<BenchmarkFormatException>(() => QuestionImporter.ImportAsync(source, output));
            Assert.True(error.Message.Contains($"{name}:{(name.EndsWith(".csv") ? 3 : 2)}"), error.Message);
            Assert.Contains("not valid UTF-8", error.Message);
            Assert.Equal(Previous, File.ReadAllText(output));
        }
    }

    [Fact]
    public async Task Ids_start_at_1_in_every_format_and_the_output_is_plain_utf8()
    {
        foreach (var (name, content) in new[] { ("q.csv", "question,answer\nIt's 2+2 in café?,4\n"), ("q.jsonl", "{\"question\": \"It's 2+2 in café?\", \"answer\": \"4\"}\n") })
        {
            var (source, output) = Files(name, Encoding.UTF8.GetBytes(content));
            await QuestionImporter.ImportAsync(source, output);
            string written = File.ReadAllText(output);
            Assert.Contains("\"id\":\"1\"", written);
            Assert.Contains("It's 2+2 in café?", written); // no \u0027, \u002B or \u00E9 escapes
        }
    }

    [Fact]
    public async Task Choice_golds_given_as_index_letter_or_option_text_become_the_letter()
    {
        var (source, output) = Files("q.jsonl", Encoding.UTF8.GetBytes("""
            {"question": "a", "choices": ["yes", "no"], "answer": 1}
            {"question": "b", "choices": ["yes", "no"], "answer": "b"}
            {"question": "c", "choices": ["yes", "no"], "answer": "no"}
            """));
        await QuestionImporter.ImportAsync(source, output);
        Assert.Equal(["B", "B", "B"], QuestionReader.Read(output).Select(q => q.Gold));
    }

    public static TheoryData<byte[], string> RefusedLmEvalFiles => new()
    {
        { [0x00, 0x01, 0xFF, 0xFE, 0x89, 0x50, 0x4E, 0x47], "not valid JSON" },
        { [], "the files hold no lines" },
        { Encoding.UTF8.GetBytes("[1, 2, 3]\n\"text\"\n"), "expected a JSON object (one logged sample), found Array" },
    };

    [Theory]
    [MemberData(nameof(RefusedLmEvalFiles))]
    public void Lm_eval_logs_with_nothing_readable_are_refused_and_the_old_output_stays(byte[] content, string expected)
    {
        string root = TestData.TempDir();
        Directory.CreateDirectory(Path.Combine(root, "model"));
        string file = Path.Combine(root, "model", "samples_arc_easy_2024-06-28T14-34-46.123456.jsonl");
        File.WriteAllBytes(file, content);
        string output = Path.Combine(root, "out.jsonl");
        File.WriteAllText(output, Previous);
        var error = Assert.Throws<InvalidDataException>(() => LmEvalImporter.Import(root, output));
        Assert.Contains(expected, error.Message);
        if (content.Length > 0) Assert.Contains(file + ":1", error.Message);
        Assert.Equal(Previous, File.ReadAllText(output));
    }
}
