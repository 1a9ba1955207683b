using Avengers.Data;
using Avengers.Voting;
using Avengers.Answers;

namespace Avengers.Tests.Voting;

public class StructuredAnswerTests
{
    [Theory]
    [InlineData("{\"reasoning\": \"f reverses the string\", \"answer\": \"bcksrutq\"}", "bcksrutq")]
    [InlineData("Let me think.\n```json\n{\"answer\": \"'abc'\"}\n```\nDone.", "abc")]
    [InlineData("```\n{'reasoning': 'x', 'answer': [1, 2,],}\n```", "[1, 2]")]
    [InlineData("{\"reasoning\": \"line one\nline two\", \"answer\": \"(1, 'a')\"}", "[1, 'a']")]
    [InlineData("The function returns True. {\"final_answer\": true}", "true")]
    [InlineData("{\"answer\": null}", "none")]
    [InlineData("{\"result\": {\"answer\": \"xyz\"}}", "xyz")]
    [InlineData("Answer: `'hello world'`", "hello world")]
    [InlineData("[ANSWER] assert f('abc') == 'cba' [/ANSWER]", "cba")]
    [InlineData("The output is [3,  4].", "[3, 4]")]
    public void Exact_answers_are_read_from_json_and_compared_as_literals(string text, string expected)
        => Assert.Equal(expected, AnswerExtractor.Extract(text, AnswerType.Exact));

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

    [Theory]
    [InlineData("{\"reasoning\": \"...\", \"answer\": \"C\"}", AnswerType.Choice, "C")]
    [InlineData("```json\n{\"answer\": \"(B) because\"}\n```", AnswerType.Choice, "B")]
    [InlineData("{\"answer\": 17}", AnswerType.Math, "17")]
    [InlineData("{'final_answer': '\\\\frac{1}{2}'}", AnswerType.Math, "0.5")]
    [InlineData("Work... {\"Answer\": \"42\",}", AnswerType.Math, "42")]
    [InlineData("{\"reasoning\": \"...\", \"answer\": \"\\frac{1}{2}\"}", AnswerType.Math, "0.5")]        // LaTeX with a single backslash: \f is not a form feed here
    [InlineData("{\"answer\": \"\\boxed{\\dfrac{3}{4}}\"}", AnswerType.Math, "0.75")]
    [InlineData("{\"answer\": \"3\\times 4\"}", AnswerType.Exact, "3\\times 4")]
    [InlineData("{\"answer\": \"positive\"}", AnswerType.Label, "positive")]
    public void Every_answer_type_reads_a_json_answer_field(string text, AnswerType type, string expected)
        => Assert.Equal(expected, AnswerExtractor.Extract(text, type, type == AnswerType.Label ? ["positive", "negative"] : null));

    [Fact]
    public void A_gsm8k_gold_with_its_worked_solution_normalises_to_the_final_number()
        => Assert.Equal("72", AnswerExtractor.Normalize("Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nAltogether 48+24 = <<48+24=72>>72 clips.\n#### 72", AnswerType.Math));

    [Fact]
    public void A_json_answer_naming_an_option_text_maps_to_its_letter()
        => Assert.Equal("B", AnswerExtractor.Extract("{\"answer\": \"Paris\"}", AnswerType.Choice, ["London", "Paris", "Rome"]));

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
