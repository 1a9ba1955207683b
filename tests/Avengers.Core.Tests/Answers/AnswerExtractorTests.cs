using Avengers.Answers;

namespace Avengers.Tests.Answers;

/// <summary>What the corpus (tests/corpus/answers.jsonl) cannot say in one response-to-answer line.</summary>
public class AnswerExtractorTests
{
    [Fact]
    public void Math_equivalent_forms_vote_together()
    {
        string?[] answers = new[] { "\\boxed{0.5}", "The answer is 1/2", "\\boxed{\\frac{1}{2}}", "#### .5" }
            .Select(t => AnswerExtractor.Extract(t, AnswerType.Math)).ToArray();
        Assert.All(answers, a => Assert.Equal("0.5", a));
    }

    [Fact]
    public void Math_nested_braces_inside_boxed_are_kept()
        => Assert.Equal("\\sqrt{2}+\\frac{3}{4}", AnswerExtractor.Extract("\\boxed{\\sqrt{2} + \\frac{3}{4}}", AnswerType.Math));

    [Fact]
    public void Math_hostile_outputs_do_not_throw()
    {
        foreach (string text in new[] { "\\boxed{", "\\boxed{{{}", "#### ", "answer is", "-", "1/0", "\\frac{1}{0}", new string('9', 400) })
            _ = AnswerExtractor.Extract(text, AnswerType.Math);
        Assert.Equal("1/0", AnswerExtractor.Extract("\\boxed{1/0}", AnswerType.Math));
    }

    [Fact]
    public void Code_compares_the_fenced_block_without_blank_lines()
    {
        string a = AnswerExtractor.Extract("Here you go:\n```python\ndef f(x):\n\n    return x  \n```\nDone.", AnswerType.Code)!;
        string b = AnswerExtractor.Extract("```\ndef f(x):\n    return x\n```", AnswerType.Code)!;
        Assert.Equal(a, b);
    }

    [Fact]
    public void A_grading_rule_reorders_adds_and_disables_readers()
    {
        const string text = "She has 3 apples, then buys 4 more, so 7 apples in total.";
        Assert.Equal(new ReadAnswer("7", "last_number"), AnswerExtractor.Read(text, AnswerType.Math));
        Assert.Null(AnswerExtractor.Extract(text, AnswerType.Math, rule: new GradingRule { SkipReaders = ["last_number"] }));
        // "The answer is 5 ... \boxed{6}": boxed first by default, the stated phrase first when the rule orders so.
        const string both = "The answer is 5.\n\nDouble-checking: \\boxed{6}";
        Assert.Equal("6", AnswerExtractor.Extract(both, AnswerType.Math));
        Assert.Equal(new ReadAnswer("5", "answer_is"), AnswerExtractor.Read(both, AnswerType.Math, rule: new GradingRule { Readers = ["answer_is", "boxed"] }));
    }

    [Fact]
    public void Each_type_lists_its_readers_in_order_with_the_reason_each_exists()
    {
        Assert.Equal(["json_field", "boxed", "hash", "answer_is", "last_number"], AnswerReaders.For(AnswerType.Math).Readers.Select(r => r.Name));
        Assert.Equal(["cut_next_exercise"], AnswerReaders.For(AnswerType.Exact).Steps.Select(s => s.Name));
        Assert.Empty(AnswerReaders.For(AnswerType.Text).Readers);
        foreach (AnswerType type in Enum.GetValues<AnswerType>())
            Assert.All(AnswerReaders.For(type).Readers, r => Assert.True(r.Reason.Length > 20, $"{type}.{r.Name} says not why it exists"));
    }

    [Fact]
    public void An_unknown_reader_in_a_rule_is_a_problem_naming_the_known_ones()
        => Assert.Contains("grading.readers: unknown reader \"boxd\" (known: ", Assert.Single(new GradingRule { Readers = ["boxd"] }.Problems("grading")));
}

public class GradingRuleReadersInFilesTests
{
    [Fact]
    public void A_rules_file_and_a_records_grading_object_carry_readers()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string yaml = Path.Combine(dir, "rules.yaml");
            File.WriteAllText(yaml, "gsm8k:\n  skip_readers: [last_number]\nmath:\n  readers: [boxed, answer_is]\n");
            var rules = Avengers.Data.GradingRulesFile.Load(yaml);
            Assert.Equal(["last_number"], rules["gsm8k"].SkipReaders);
            Assert.Equal(["boxed", "answer_is"], rules["math"].Readers);
            File.WriteAllText(yaml, "gsm8k:\n  skip_readers: last_number\n");
            var error = Assert.Throws<Avengers.Data.BenchmarkFormatException>(() => Avengers.Data.GradingRulesFile.Load(yaml));
            Assert.Contains("gsm8k.skip_readers", error.Message);
            File.WriteAllText(yaml, "gsm8k:\n  readers: [boxd]\n");
            Assert.Contains("unknown reader \"boxd\"", Assert.Throws<Avengers.Data.BenchmarkFormatException>(() => Avengers.Data.GradingRulesFile.Load(yaml)).Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
