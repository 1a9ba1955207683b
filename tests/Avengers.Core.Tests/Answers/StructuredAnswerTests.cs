using Avengers.Answers;

namespace Avengers.Tests.Answers;

public class StructuredAnswerTests
{
    [Theory]
    [InlineData("'bcksrutq'", "bcksrutq")]
    [InlineData("bcksrutq", "bcksrutq")]
    [InlineData("\"bcksrutq\"", "bcksrutq")]
    [InlineData("[1,2 , 3]", "[1, 2, 3]")]
    [InlineData("(1, 2, 3)", "[1, 2, 3]")]
    [InlineData("True", "true")]
    [InlineData("None", "none")]
    [InlineData("null", "none")]
    [InlineData("2.0", "2")]
    [InlineData("{'b': 1, 'a': [True, None]}", "{'a': [true, none], 'b': 1}")]
    [InlineData("{\"a\": [true, null], \"b\": 1}", "{'a': [true, none], 'b': 1}")]
    [InlineData("{3, 1, 2}", "{1, 2, 3}")]
    public void Python_and_json_spellings_of_a_literal_agree(string literal, string expected)
        => Assert.Equal(expected, AnswerExtractor.Normalize(literal, AnswerType.Exact));

    [Fact]
    public void Different_literals_stay_different()
    {
        Assert.NotEqual(AnswerExtractor.Normalize("[1, 2]", AnswerType.Exact), AnswerExtractor.Normalize("[2, 1]", AnswerType.Exact));
        Assert.NotEqual(AnswerExtractor.Normalize("'a b'", AnswerType.Exact), AnswerExtractor.Normalize("'ab'", AnswerType.Exact));
        Assert.NotEqual(AnswerExtractor.Normalize("[1, [2]]", AnswerType.Exact), AnswerExtractor.Normalize("[1, 2]", AnswerType.Exact));
    }

    [Fact]
    public void A_gsm8k_gold_with_its_worked_solution_normalises_to_the_final_number()
        => Assert.Equal("72", AnswerExtractor.Normalize("Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nAltogether 48+24 = <<48+24=72>>72 clips.\n#### 72", AnswerType.Math));

    [Theory]
    [InlineData("{\"answer\": ")]                 // truncated
    [InlineData("{\"reasoning\": \"no answer field\"}")]
    [InlineData("{{{{{{{{{{{{{{{{{{{{{{{{")]
    public void Malformed_or_answerless_json_yields_nothing_structured(string text)
        => Assert.Null(StructuredAnswer.Find(text));

    [Fact]
    public void Hostile_outputs_stay_fast_and_do_not_throw()
    {
        string deep = new string('[', 100_000) + new string(']', 100_000);
        string braces = string.Concat(Enumerable.Repeat("{\"answer\": ", 20_000));
        string huge = new string('x', 1_000_000) + " {\"answer\": \"ok\"}";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        _ = AnswerExtractor.Normalize(deep, AnswerType.Exact);
        _ = AnswerExtractor.Extract(string.Concat(Enumerable.Repeat("answer: ", 100_000)) + "{", AnswerType.Exact);
        _ = AnswerExtractor.Extract(braces, AnswerType.Exact);
        Assert.Equal("ok", AnswerExtractor.Extract(huge, AnswerType.Exact));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_grading_rule_regex_takes_the_last_capture_and_nothing_else()
    {
        var rule = new GradingRule { Regex = @"RESULT=(?<answer>\S+)" };
        Assert.Equal("7", AnswerExtractor.Extract("RESULT=3 then RESULT=7", AnswerType.Math, rule: rule));
        Assert.Null(AnswerExtractor.Extract("The answer is 7", AnswerType.Math, rule: rule));
    }

    [Fact]
    public void A_grading_rule_names_the_json_field_and_the_case()
    {
        var rule = new GradingRule { JsonField = "prediction", CaseSensitive = true };
        Assert.Equal("AbC", AnswerExtractor.Extract("{\"answer\": \"no\", \"prediction\": \"'AbC'\"}", AnswerType.Exact, rule: rule));
        Assert.Equal("abc", AnswerExtractor.Extract("{\"answer\": \"'AbC'\"}", AnswerType.Exact));
    }

    [Fact]
    public void Numeric_tolerance_accepts_close_numbers_only()
    {
        var rule = new GradingRule { NumericTolerance = 0.01 };
        Assert.True(GradingRule.Agree("3.141", "3.14", rule));
        Assert.False(GradingRule.Agree("3.2", "3.14", rule));
        Assert.False(GradingRule.Agree("3.141", "3.14", null));
    }
}
