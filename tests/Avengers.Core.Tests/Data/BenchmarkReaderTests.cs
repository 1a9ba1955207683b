using Avengers.Data;
using Avengers.Answers;

namespace Avengers.Tests.Data;

public class BenchmarkReaderTests
{
    private const string Good = """{"id": "q1", "dataset": "gsm8k", "query": "2+2?", "answer_type": "math", "gold": "4", "split": "train", "outputs": {"m1": [{"text": "\\boxed{4}"}, {"answer": "5"}], "m2": [{"score": 1}]}}""";

    private static string Write(params string[] lines)
    {
        string path = Path.Combine(TestData.TempDir(), "bench.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Reads_every_field()
    {
        Benchmark benchmark = BenchmarkReader.Read(Write(Good, "", """{"id": 7, "dataset": "mmlu", "query": "Q?", "answer_type": "choice", "gold": "B", "choices": ["x", "y"], "outputs": {"m2": [{"text": "The answer is (B)", "score": 0.5}]}}"""));
        Assert.Equal(2, benchmark.Records.Count);
        BenchmarkRecord first = benchmark.Records[0];
        Assert.Equal(AnswerType.Math, first.AnswerType);
        Assert.Equal("train", first.Split);
        Assert.Equal("\\boxed{4}", first.Outputs["m1"][0].Text);
        Assert.Equal("5", first.Outputs["m1"][1].Answer);
        Assert.Equal(1.0, first.Outputs["m2"][0].Score);
        Assert.Equal("7", benchmark.Records[1].Id);
        Assert.Equal(["x", "y"], benchmark.Records[1].Choices!);
        Assert.Equal(["m1", "m2"], benchmark.Models);
        Assert.Equal(64, benchmark.DataHash.Length);
    }

    [Theory]
    [InlineData("\"72\"", null, "math", true)]
    [InlineData("\"\\\\frac{1}{2}\"", null, "math", true)]
    [InlineData("\"'bcksrutq'\"", null, "exact", true)]
    [InlineData("\"She sold 48 + 24 = 72 clips.\\n#### 72\"", null, "math", true)]
    [InlineData("\"[1, 2]\"", null, "exact", true)]
    [InlineData("\"B\"", "[\"x\", \"y\"]", "choice", true)]
    [InlineData("\"y\"", "[\"x\", \"y\"]", "choice", true)]
    [InlineData("null", null, "text", true)]
    [InlineData("\"72\"", null, "exact", false)]
    public void A_missing_answer_type_is_inferred_from_the_gold_answer(string gold, string? choices, string expected, bool inferred)
    {
        string type = inferred ? "" : $"\"answer_type\": \"{expected}\", ";
        string line = $$$"""{"id": "a", "dataset": "d", "query": "q", {{{type}}}"gold": {{{gold}}}, "choices": {{{choices ?? "null"}}}, "outputs": {"m": [{"text": "t"}]}}""";
        BenchmarkRecord record = BenchmarkReader.Read(Write(line)).Records[0];
        Assert.True(AnswerTypes.TryParse(expected, out AnswerType want));
        Assert.Equal((want, inferred), (record.AnswerType, record.AnswerTypeInferred));
    }

    [Theory]
    [InlineData("'ABC'", "{\"answer\": \"ABC\"}", true)]
    [InlineData("'ABC'", "{\"answer\": \"abc\"}", false)]
    [InlineData("['a', 'B']", "The output is ['a', 'b'].", false)]
    [InlineData("['a', 'B']", "The output is [\"a\", \"B\"].", true)]
    [InlineData("Hello World", "The answer is hello world.", true)]
    public void Quoted_literal_gold_answers_compare_with_case(string gold, string text, bool right)
    {
        string line = System.Text.Json.JsonSerializer.Serialize(new
        {
            id = "a",
            dataset = "d",
            query = "q",
            answer_type = "exact",
            gold,
            outputs = new { m = new[] { new { text } } },
        });
        BenchmarkRecord record = BenchmarkReader.Read(Write(line)).Records[0];
        Sample sample = record.Outputs["m"][0];
        Assert.Equal(right ? 1.0 : 0.0, Avengers.Evaluation.Grader.Grade(record, sample, Avengers.Evaluation.Grader.AnswerOf(record, sample), Avengers.Evaluation.Grader.GoldOf(record)));
    }

    [Theory]
    [InlineData("{not json", "(line)", "not valid JSON")]
    [InlineData("[1, 2]", "(line)", "expected a JSON object")]
    [InlineData("""{"dataset": "d", "query": "q", "outputs": {}}""", "id", "missing")]
    [InlineData("""{"id": "a", "query": "q", "outputs": {}}""", "dataset", "missing")]
    [InlineData("""{"id": "a", "dataset": "d", "query": "", "outputs": {}}""", "query", "must not be empty")]
    [InlineData("""{"id": "a", "dataset": "d", "query": "q", "answer_type": "essay", "outputs": {}}""", "answer_type", "unknown answer type 'essay'")]
    [InlineData("""{"id": "a", "dataset": "d", "query": "q", "split": "dev", "outputs": {}}""", "split", "expected \"train\" or \"test\"")]
    [InlineData("""{"id": "a", "dataset": "d", "query": "q"}""", "outputs", "missing")]
    [InlineData("""{"id": "a", "dataset": "d", "query": "q", "outputs": {"m": {"text": "x"}}}""", "outputs.m", "expected a list of samples")]
    [InlineData("""{"id": "a", "dataset": "d", "query": "q", "outputs": {"m": [{}]}}""", "outputs.m[0]", "at least one of text, answer, score")]
    [InlineData("""{"id": "a", "dataset": "d", "query": "q", "outputs": {"m": [{"score": 2}]}}""", "outputs.m[0].score", "expected a number in [0, 1]")]
    [InlineData("""{"id": "a", "dataset": "d", "query": "q", "choices": "A,B", "outputs": {}}""", "choices", "expected an array")]
    [InlineData("""{"id": "a", "dataset": 3, "query": "q", "outputs": {}}""", "dataset", "expected a string")]
    public void Malformed_lines_name_file_line_and_field(string badLine, string field, string problem)
    {
        string path = Write(Good.Replace("q1", "q0"), badLine);
        var error = Assert.Throws<BenchmarkFormatException>(() => BenchmarkReader.Read(path));
        Assert.Equal(2, error.Line);
        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Message);
        Assert.StartsWith($"{path}:2: field '{field}'", error.Message);
        Assert.DoesNotContain("LineNumber", error.Message); // the parser's zero-based positions, restated once
    }

    [Fact]
    public void An_id_given_again_with_another_query_is_an_error()
    {
        var error = Assert.Throws<BenchmarkFormatException>(() => BenchmarkReader.Read(Write(Good, Good.Replace("\"query\": \"", "\"query\": \"another ", StringComparison.Ordinal))));
        Assert.Equal(2, error.Line);
        Assert.Contains("id 'q1' appears again with another query", error.Message);
    }

    [Fact]
    public void A_query_may_span_lines_each_adding_models_and_a_later_line_replaces_a_model()
    {
        string path = Write(
            """{"id": "q", "dataset": "d", "query": "2+2?", "answer_type": "math", "gold": "4", "outputs": {"a": [{"error": "HTTP 500 (server error)"}]}}""",
            """{"id": "q", "dataset": "d", "query": "2+2?", "answer_type": "math", "gold": "4", "outputs": {"b": [{"text": "The answer is 4", "output_tokens": 5, "latency_ms": 12.5, "finish_reason": "stop"}]}}""",
            """{"id": "q", "dataset": "d", "query": "2+2?", "answer_type": "math", "gold": "4", "outputs": {"a": [{"text": "4"}, {"error": "timed out"}]}}""");
        BenchmarkRecord record = Assert.Single(BenchmarkReader.Read(path).Records);
        Assert.Equal(["a", "b"], record.Outputs.Keys.Order());
        Assert.Equal("4", Assert.Single(record.Outputs["a"]).Text);  // the retried line replaced the failed one; failed samples never vote
        Assert.Equal(5, record.Outputs["b"][0].OutputTokens);
    }

    [Fact]
    public void Skipping_invalid_records_reports_each_one()
    {
        BenchmarkReadResult result = BenchmarkReader.ReadWithProblems(Write(Good, "{oops", Good.Replace("q1", "q2"), """{"id": "z"}"""), new BenchmarkReadOptions { SkipInvalid = true });
        Assert.Equal(2, result.Benchmark.Records.Count);
        Assert.Equal([2, 4], result.Problems.Select(p => p.Line));
    }

    [Fact]
    public void Model_filter_keeps_only_requested_outputs()
    {
        Benchmark benchmark = BenchmarkReader.Read(Write(Good), new BenchmarkReadOptions { Models = new HashSet<string> { "m2" } });
        Assert.Equal(["m2"], benchmark.Records[0].Outputs.Keys);
    }

    [Fact]
    public void Missing_file_is_a_clear_error()
    {
        var error = Assert.Throws<FileNotFoundException>(() => BenchmarkReader.Read("/nonexistent/bench.jsonl"));
        Assert.Contains("/nonexistent/bench.jsonl", error.Message);
    }

    [Fact]
    public void Writer_and_reader_round_trip()
    {
        Benchmark original = BenchmarkReader.Read(Write(Good));
        string copy = Path.Combine(TestData.TempDir(), "copy.jsonl");
        BenchmarkWriter.Write(copy, original.Records);
        Benchmark again = BenchmarkReader.Read(copy);
        Assert.Equal(original.Records[0].Query, again.Records[0].Query);
        Assert.Equal(original.Records[0].Outputs["m1"], again.Records[0].Outputs["m1"]);
        Assert.Equal(original.Records[0].Gold, again.Records[0].Gold);
    }
}
