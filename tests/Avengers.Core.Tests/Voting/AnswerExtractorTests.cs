using Avengers.Data;
using Avengers.Voting;
using Avengers.Answers;

namespace Avengers.Tests.Voting;

public class AnswerExtractorTests
{
    [Theory]
    [InlineData("Let's think step by step. ... The answer is (C).", "C")]
    [InlineData("the answer is C", "C")]
    [InlineData("The correct answer is: **B**", "B")]
    [InlineData("Answer: D", "D")]
    [InlineData("**Answer:** (A) 42 meters", "A")]
    [InlineData("A. is wrong because ... B. is wrong ... so the answer is (E).\n\nQuestion: next one. The answer is", "E")]
    [InlineData("I think the answer is (B). Wait, re-checking: the answer is (D).", "D")]
    [InlineData("(B)", "B")]
    [InlineData("C", "C")]
    [InlineData("C. Paris", "C")]
    [InlineData("$\\boxed{D}$", "D")]
    [InlineData("The best option is B because ...", "B")]
    [InlineData("the answer is (j)", "J")]
    [InlineData("Option B is correct.", "B")]
    [InlineData("After checking each one, choice (C) is the right one.", "C")]
    public void Choice_letters_in_the_forms_models_write(string text, string expected)
        => Assert.Equal(expected, AnswerExtractor.Extract(text, AnswerType.Choice));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("I am not sure which one is right.")]
    [InlineData("A lot of factors matter here")] // an article, not an answer
    [InlineData("Another option a student could take is best left aside.")] // prose
    public void Choice_without_an_answer_abstains(string text)
        => Assert.Null(AnswerExtractor.Extract(text, AnswerType.Choice));

    [Fact]
    public void Choice_letters_beyond_the_options_are_rejected()
    {
        string[] four = ["w", "x", "y", "z"];
        Assert.Null(AnswerExtractor.Extract("The answer is (G).", AnswerType.Choice, four));
        Assert.Equal("D", AnswerExtractor.Extract("The answer is (D).", AnswerType.Choice, four));
    }

    [Theory]
    [InlineData("So the total is \\boxed{42}.", "42")]
    [InlineData("\\boxed{\\frac{1}{2}}", "0.5")]
    [InlineData("\\boxed{\\dfrac12}", "0.5")]
    [InlineData("the answer is 1/2.", "0.5")]
    [InlineData("The answer is 0.50", "0.5")]
    [InlineData("#### 1,234", "1234")]
    [InlineData("{\"reasoning\": \"...\", \"answer\": \"17\"}", "17")]
    [InlineData("Final answer: $18 dollars", "18")]
    [InlineData("\\boxed{x = 5}", "5")]
    [InlineData("\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}", "(3,\\frac{\\pi}{2})")]
    [InlineData("\\boxed{\\frac{1}{3}}", "1/3")]
    [InlineData("\\boxed{-\\frac{6}{4}}", "-1.5")]
    [InlineData("\\boxed{50\\%}", "50")]
    [InlineData("\\boxed{10^{\\circ}}", "10")]
    [InlineData("She has 3 apples, then buys 4 more, so 7 apples in total.", "7")]
    [InlineData("\\boxed{\\text{(B)}}", "B")]
    [InlineData("**Final Answer:** 17", "17")]
    [InlineData("\\boxed{-2, 3}", "-2,3")] // a pair, not -23: commas group thousands only in threes
    [InlineData("\\boxed{1,000,000}", "1000000")]
    [InlineData("\\boxed{x^{2} + 1}", "x^2+1")]
    [InlineData("\\boxed{2 \\sqrt 3}", "2\\sqrt{3}")]
    [InlineData("\\boxed{\\mathbf{(C)}}", "C")]
    [InlineData("The total is 30.\n\n**Answer:** 42", "42")]
    public void Math_answers_normalise_to_one_form(string text, string expected)
        => Assert.Equal(expected, AnswerExtractor.Extract(text, AnswerType.Math));

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

    [Theory]
    [InlineData("The answer is: Positive.", "positive")]
    [InlineData("negative", "negative")]
    [InlineData("After reading the review I'd say it is clearly positive overall.", "positive")]
    public void Labels_map_to_the_label_set(string text, string expected)
        => Assert.Equal(expected, AnswerExtractor.Extract(text, AnswerType.Label, ["positive", "negative"]));

    [Fact]
    public void Label_text_mentioning_two_labels_abstains()
        => Assert.Null(AnswerExtractor.Extract("It is not negative, rather positive-ish", AnswerType.Label, ["positive", "negative"]));

    [Theory]
    [InlineData("Output: [1, 2, 3]", "[1,2,3]")]
    [InlineData("Let me trace it.\n**Output:** 'bcksrutq'", "bcksrutq")]
    public void Exact_answers_on_an_output_line_are_read(string text, string expected)
        => Assert.Equal(AnswerExtractor.Extract(expected, AnswerType.Exact), AnswerExtractor.Extract(text, AnswerType.Exact));

    [Fact]
    public void Exact_answers_fold_case_and_space()
        => Assert.Equal("new york city", AnswerExtractor.Extract("  New   York City. ", AnswerType.Exact));

    [Fact]
    public void Code_compares_the_fenced_block_without_blank_lines()
    {
        string a = AnswerExtractor.Extract("Here you go:\n```python\ndef f(x):\n\n    return x  \n```\nDone.", AnswerType.Code)!;
        string b = AnswerExtractor.Extract("```\ndef f(x):\n    return x\n```", AnswerType.Code)!;
        Assert.Equal(a, b);
    }

    [Fact]
    public void Free_text_never_votes()
        => Assert.Null(AnswerExtractor.Extract("Paris is the capital.", AnswerType.Text));
}

public class ChoiceContinuationTests
{
    [Theory]
    // A concluded answer followed by an invented next question: the concluded one counts.
    [InlineData("... so it is 4. The answer is (E).\n\nQuestion: What is 2+3?\nOptions: ...\nAnswer: Let's think. The answer is (B).", "E")]
    // "Combining all the answers" after the real conclusion.
    [InlineData("PV = 78.35. The answer is (A).\n\nNow, let's combine all the answers.\n\nThe answer is (F).", "A")]
    // Self-correction inside one paragraph: the last statement counts.
    [InlineData("I first thought the answer is (B), but re-checking the units the answer is (D).", "D")]
    [InlineData("The virus has an envelope derived from the host membrane. The correct description is (E).", "E")]
    public void Picks_the_concluding_statement(string text, string expected)
        => Assert.Equal(expected, Avengers.Answers.AnswerExtractor.Extract(text, Avengers.Answers.AnswerType.Choice));
}
