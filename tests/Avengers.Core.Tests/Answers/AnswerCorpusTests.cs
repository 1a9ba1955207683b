using Avengers.Answers;

namespace Avengers.Tests.Answers;

/// <summary>
/// The response-to-answer cases live in tests/corpus/answers.jsonl (response, answer type, expected answer, where the
/// form comes from): each line is one test here, and users check their own files the same way with
/// <c>avengers answers check</c>.
/// </summary>
public class AnswerCorpusTests
{
    internal static string CorpusPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "tests", "corpus", "answers.jsonl"))) return Path.Combine(dir.FullName, "tests", "corpus", "answers.jsonl");
        throw new FileNotFoundException("tests/corpus/answers.jsonl not found above the test's folder");
    }

    private static readonly Lazy<IReadOnlyList<AnswerCase>> Cases = new(() => AnswerCorpus.Load(CorpusPath()));

    public static TheoryData<int> Lines => [.. Cases.Value.Select(c => c.Line)];

    [Theory]
    [MemberData(nameof(Lines))]
    public void The_response_reads_as_its_expected_answer(int line)
    {
        AnswerCaseResult result = Cases.Value.Single(c => c.Line == line).Check();
        Assert.True(result.Passed, $"answers.jsonl:{line} ({result.Case.Source}): wanted {result.Wanted ?? "no answer"}, read {result.Got ?? "no answer"} by {result.Reader ?? "no reader"}");
    }

    [Fact]
    public void The_corpus_covers_every_votable_answer_type_and_abstentions()
    {
        IReadOnlyList<AnswerCase> cases = Cases.Value;
        foreach (AnswerType type in new[] { AnswerType.Choice, AnswerType.Math, AnswerType.Exact, AnswerType.Label })
            Assert.Contains(cases, c => c.Type == type);
        Assert.Contains(cases, c => c.Expected is null);
        Assert.All(cases, c => Assert.False(string.IsNullOrWhiteSpace(c.Source), $"line {c.Line} says not where its form comes from"));
    }

    [Fact]
    public void Every_default_reader_reads_at_least_one_case()
    {
        // A reader that no case needs is either dead or untested: either way the corpus should say why it exists.
        var used = Cases.Value.Select(c => c.Check()).Where(r => r.Passed && r.Reader is not null).Select(r => (r.Case.Type, r.Reader!)).ToHashSet();
        foreach (AnswerType type in new[] { AnswerType.Choice, AnswerType.Math, AnswerType.Exact, AnswerType.Label })
            foreach (AnswerReader reader in AnswerReaders.For(type).Readers)
                Assert.True(used.Contains((type, reader.Name)), $"no corpus case of type {type} is read by {reader.Name}");
    }

    [Fact]
    public void A_malformed_line_names_the_file_line_and_field()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["{\"response\": \"x\", \"type\": \"math\", \"expected\": \"1\", \"source\": \"s\"}", "{\"response\": \"x\", \"type\": \"maths\", \"expected\": \"1\"}"]);
            var error = Assert.Throws<AnswerCorpusException>(() => AnswerCorpus.Load(path));
            Assert.Equal($"{path}:2: type: expected one of choice, math, exact, label, code, text", error.Message);
            File.WriteAllText(path, "{\"response\": \"x\", \"type\": \"math\", \"expected\": \"1\", \"rule\": {\"readers\": [\"boxd\"]}}");
            Assert.Contains("rule.readers: unknown reader \"boxd\"", Assert.Throws<AnswerCorpusException>(() => AnswerCorpus.Load(path)).Message);
        }
        finally { File.Delete(path); }
    }
}
