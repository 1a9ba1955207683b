using Avengers.Data;
using Avengers.Voting;
using Avengers.Answers;

namespace Avengers.Tests.Voting;

/// <summary>
/// Responses as small models write them for grade-school math, competition math (Minerva's "Final Answer: The final
/// answer is $x$. I hope it is correct.") and output prediction (JSON, assertions, fenced literals); each must read
/// as its gold answer does.
/// </summary>
public class ResponseFormatTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        // grade-school math (the last: a base model writes the next few-shot exercise)
        { "math", "72", "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72" },
        { "math", "10", "Weng earns $12 an hour. 50 minutes is 50/60 of an hour.\nSo she earned 12 * 50/60 = $10.\nThe answer is $10." },
        { "math", "5", "**Step 1:** ...\n\n**Answer:** 5" },
        { "math", "18", "Janet sells 16 - 3 - 4 = 9 duck eggs a day. She makes 9 * 2 = $18 every day.\n\nFinal answer: $18.00" },
        { "math", "1200", "So the total is 1,200 dollars.\n\nThe final answer is: $\\boxed{1200}$" },
        { "math", "3", "The answer is: 3 hours." },
        { "math", "64", "Therefore, Kylar needs to pay $64 for the glasses.\n\nAnswer: $64" },
        { "math", "20", "She has 20% left, so the answer is 20%." },
        { "math", "0.5", "The probability is 1/2 = 0.5.\n\nThe answer is 0.5" },
        { "math", "-3", "x = -3\n\nThe answer is -3." },
        { "math", "260", "So the total cost is $260. The answer is 260.\n\nQuestion: What is 2+2?\nAnswer: 4" },
        // competition math
        { "math", "\\frac{1}{2}", "Thus the probability is $\\boxed{\\dfrac{1}{2}}$." },
        { "math", "\\frac{\\sqrt{3}}{2}", "So $\\sin 60^\\circ = \\boxed{\\frac{\\sqrt{3}}{2}}$." },
        { "math", "(1,2)", "The point is $\\boxed{(1, 2)}$." },
        { "math", "[-2,5]", "The domain is $\\boxed{[-2,5]}$." },
        { "math", "3\\sqrt{2}", "The distance is $\\boxed{3 \\sqrt 2}$." },
        { "math", "10", "Final Answer: The final answer is $10$. I hope it is correct." },
        { "math", "x^2+2x+1", "Final Answer: The final answer is $x^2 + 2x + 1$. I hope it is correct." },
        { "math", "30", "The angle is $\\boxed{30^\\circ}$." },
        { "math", "\\frac{3}{4}", "The answer is $\\frac34$." },
        { "math", "2", "Therefore $x=\\boxed{2}$." },
        { "math", "5", "So the answer is $\\boxed{x=5}$." },
        { "math", "\\text{(C)}", "The answer is $\\boxed{\\text{(C)}}$." },
        { "math", "\\$18.90", "The total is $\\boxed{\\$18.90}$." },
        { "math", "4", "The remainder is $\\boxed{4}.$" },
        { "math", "\\infty", "The limit is $\\boxed{\\infty}$" },
        { "math", "1,2", "The solutions are $\\boxed{1, 2}$." },
        { "math", "\\pi", "$\\boxed{\\pi}$" },
        { "math", "6", "The answer is \\[\\boxed{6}\\]" },
        { "math", "\\frac{1}{4}", "The answer is $\\boxed{0.25}$." },
        { "math", "10\\%", "The answer is $\\boxed{10\\%}$." },
        { "math", "4", "```json\n{\"reasoning\": \"2+2\", \"answer\": \"4\"}\n```" },
        { "math", "4", "{\"answer\": 4}" },
        // python output prediction
        { "exact", "'bcksrutq'", "{\"reasoning\": \"...\", \"answer\": \"bcksrutq\"}" },
        { "exact", "'bcksrutq'", "[ANSWER]\nassert f('abc') == 'bcksrutq'\n[/ANSWER]" },
        { "exact", "[1, 2, 3]", "The output is `[1, 2, 3]`." },
        { "exact", "True", "{\"answer\": true}" },
        { "exact", "{'a': 1}", "{\"answer\": \"{'a': 1}\"}" },
        { "exact", "(1, 'a')", "{\"answer\": [1, \"a\"]}" },
        { "exact", "'hello world'", "```json\n{\n  \"reasoning\": \"We reverse...\",\n  \"answer\": \"'hello world'\"\n}\n```" },
        { "exact", "''", "{\"answer\": \"\"}" },
        { "exact", "None", "{\"answer\": null}" },
        { "exact", "3.0", "{\"answer\": 3.0}" },
        { "exact", "'a\\nb'", "{\"answer\": \"a\\nb\"}" },
        { "exact", "[]", "The function returns an empty list, so the output is:\n\n```python\n[]\n```" },
        { "exact", "'ABC'", "assert f(\"abc\") == \"ABC\"" },
        { "exact", "'cba'", "{\"answer\": \"f('abc') == 'cba'\"}" },
        { "exact", "'a == b'", "{\"answer\": \"a == b\"}" },
        { "exact", "{'reasoning': 1}", "{\"reasoning\": \"the dict\", \"answer\": {\"reasoning\": 1}}" },
        // equivalent forms of competition-math answers, more JSON-wrapped literals
        { "math", "\\frac{1}{2}", "$\\boxed{\\tfrac{1}{2}}$" },
        { "math", "\\frac{1}{2}", "$\\boxed{1/2}$" },
        { "math", "\\left( 3, \\frac{\\pi}{2} \\right)", "$\\boxed{(3,\\frac{\\pi}{2})}$" },
        { "math", "10\\text{ cm}", "$\\boxed{10}$" },
        { "math", "5\\text{ inches}", "The answer is 5 inches." },
        { "math", "90^\\circ", "$\\boxed{90}$" },
        { "math", "\\$32,\\!348", "$\\boxed{32348}$" },
        { "math", "\\text{Evelyn}", "The answer is $\\boxed{\\text{Evelyn}}$." },
        { "math", "-\\frac{2}{3}", "$\\boxed{\\frac{-2}{3}}$" },
        { "math", "\\frac{7}{2}", "$\\boxed{3.5}$" },
        { "math", "2\\sqrt{5}", "$\\boxed{2\\sqrt5}$" },
        { "math", "x \\in [-2,7]", "$\\boxed{[-2,7]}$" },
        { "math", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "$\\boxed{\\begin{pmatrix}1\\\\2\\end{pmatrix}}$" },
        { "math", "0.5", "The answer is \\( \\frac{1}{2} \\)." },
        { "math", "1000", "The answer is 1000." },
        { "math", "18", "**Answer:** 18" },
        { "math", "18", "The final answer is $\\boxed{18}$." },
        { "math", "18", "Janet makes $18 every day at the farmers' market." },
        { "math", "5", "## Step 3: ...\nThe final answer is: $\\boxed{5}$" },
        { "math", "70000", "He made a profit of $70,000.\n#### 70000" },
        { "math", "70000", "So the profit is 70000 dollars. The answer is 70,000." },
        { "math", "3", "\\boxed{3} \\text{ apples}" },
        { "math", "11", "The answer is 11 \\text{ hours}." },
        { "math", "\\frac{1}{6}", "$\\boxed{\\frac16}$" },
        { "math", "6", "$$\\boxed{6}$$" },
        { "math", "-1", "$\\boxed{ -1 }$" },
        { "math", "i", "$\\boxed{i}$" },
        { "math", "\\sqrt{2}", "$\\boxed{\\sqrt{2}}$" },
        { "math", "2,3", "$\\boxed{3,2}$" },
        { "exact", "'1'", "{\"answer\": \"'1'\"}" },
        { "exact", "'nwvday mz wickvmihz'", "```json\n{\n  \"reasoning\": \"The function reverses\",\n  \"answer\": 'nwvday mz wickvmihz'\n}\n```" },
        { "exact", "{1: 'a', 2: 'b'}", "{\"answer\": \"{1: 'a', 2: 'b'}\"}" },
        { "exact", "(1, 2)", "{\"answer\": \"(1, 2)\"}" },
        { "exact", "'xy'", "{'reasoning': 'concat', 'answer': 'xy',}" },
        { "exact", "12", "{\"answer\": \"12\"}" },
        { "exact", "-5", "{\"answer\": -5}" },
        { "exact", "False", "{\"answer\": \"False\"}" },
        { "exact", "'Hello, World!'", "{\"answer\": \"Hello, World!\"}" },
        { "exact", "'hello'", "Sure! Here is the JSON:\n{\"reasoning\": \"lowercase\", \"answer\": \"hello\"}\nLet me know if you need anything else." },
        { "exact", "[('a', 1)]", "{\"answer\": [[\"a\", 1]]}" },
        // LaTeX inside JSON strings, escaped or not (\f, \b and \t are JSON escapes too)
        { "math", "\\frac{1}{2}", "{\"reasoning\": \"half\", \"answer\": \"\\frac{1}{2}\"}" },
        { "math", "\\frac{1}{2}", "{\"reasoning\": \"half\", \"answer\": \"\\\\frac{1}{2}\"}" },
        { "math", "5", "{\"answer\": \"\\boxed{5}\"}" },
        { "math", "\\sqrt{2}", "{\"answer\": \"\\sqrt{2}\"}" },
        { "math", "\\theta", "{\"answer\": \"\\theta\"}" },
        { "math", "\\nu", "{\"answer\": \"\\nu\"}" },
        { "math", "\\text{(B)}", "{\"answer\": \"\\text{(B)}\"}" },
        { "math", "\\frac{\\sqrt{3}}{2}", "```json\n{\"final_answer\": \"$\\frac{\\sqrt{3}}{2}$\"}\n```" },
        { "math", "12", "The answer is 12.\n\n{\"answer\": 12}" },
        { "exact", "'a\\tb'", "{\"answer\": \"a\\tb\"}" },
        { "choice", "C", "{\"answer\": \"C\"}" },
        { "choice", "C", "{\"answer\": \"(C) Paris\"}" },
        // prose after the stated value ("The answer is 18 apples, which ...")
        { "math", "18", "The answer is 18 apples, which is what Janet has left." },
        { "math", "18", "So the answer is $18, since she sells them all." },
        { "math", "18", "The answer is 18 because 9 * 2 = 18." },
        { "math", "5", "The final answer is 5 hours and she is done." },
        { "math", "1250", "The answer is $1,250 per month." },
        { "math", "3", "Answer: 3 (three) cups" },
        { "math", "42", "Therefore, the answer is: **42**" },
        { "math", "42", "The answer is **42** dollars." },
        { "math", "60", "The answer is 60 minutes (1 hour)." },
        { "math", "\\frac{1}{2}", "The answer is \\frac{1}{2} of the pie." },
        { "math", "(1,2)", "The answer is (1, 2) is the point." },
        { "math", "2,3", "The answer is 2 and 3." },
        { "math", "\\text{Evelyn}", "The answer is \\text{Evelyn}." },
        { "math", "5", "The answer is 5 \\text{ cm}." },
        { "math", "x^2+2x+1", "The answer is x^2 + 2x + 1." },
        { "math", "7", "Thus, Tom has 7 marbles left.\n\nThe answer is 7 marbles." },
        { "math", "18", "**Final Answer**: 18" },
        { "math", "18.5", "The answer is 18.5." },
        { "math", "1/3", "The answer is 1/3 of the cake." },
        { "math", "18", "The answer is: $\\boxed{18}$ dollars" },
        { "math", "18", "So, the answer is 18 dollars." },
        { "math", "1000", "The answer is 1,000 people." },
        { "math", "25", "The answer is $25.00 each." },
        { "math", "8", "The answer is eight (8)." },
        { "math", "3", "The answer is x = 3." },
        { "math", "120", "The answer is 120 (in total)." },
        { "math", "4", "The answer is #4." },
        { "math", "16", "So the answer is: 16 eggs per day." },
        { "math", "100", "the answer is 100%" },
        { "math", "2", "The answer is 2 hours, or 120 minutes." },
        { "math", "7", "The answer is: 7\n\nExplanation: 3 + 4 = 7" },
        // a literal stated with prose after it
        { "exact", "'abc'", "The output is 'abc', because the function reverses the input." },
        { "exact", "[1, 2]", "The output is [1, 2] since both are kept." },
        { "exact", "'abc'", "So the output will be 'abc' (a string)." },
        { "exact", "True", "The output is True because 3 > 2." },
        { "exact", "'hello'", "The final answer is 'hello', as computed above." },
        { "exact", "{'a': 1}", "The output is {'a': 1} after the loop." },
        { "exact", "'a, b'", "The output is 'a, b'." },
        { "exact", "'it is'", "The output is 'it is'." },
        { "exact", "5", "The output is 5 since len is 5." },
        // competition-math golds against boxed answers written another way
        { "math", "\\left[ -\\frac{1}{2}, \\frac{1}{2} \\right]", "$\\boxed{[-\\frac12,\\frac12]}$" },
        { "math", "\\$1.50", "$\\boxed{1.5}$" },
        { "math", "5\\text{ cm}^2", "$\\boxed{5}$" },
        { "math", "\\textbf{(A)}", "$\\boxed{A}$" },
        { "math", "\\text{odd}", "The answer is $\\boxed{\\text{odd}}$." },
        { "math", "\\frac{14}{3}", "$\\boxed{\\dfrac{14}{3}}$" },
        { "math", "1,\\!000", "$\\boxed{1000}$" },
        { "math", "\\{1,2\\}", "$\\boxed{1, 2}$" },
        { "math", "2.5", "$\\boxed{\\frac{5}{2}}$" },
        { "math", "3", "$\\boxed{3.0}$" },
        { "math", "10", "$\\boxed{10.}$" },
        { "math", "\\frac{1}{3}", "$\\boxed{\\frac{1}{3}}$ (approximately 0.333)" },
        { "math", "-2", "$\\boxed{-2}$." },
        { "math", "\\sqrt{2}", "$\\boxed{\\sqrt2}$" },
        { "math", "4\\pi", "$\\boxed{4 \\pi}$" },
        { "math", "\\frac{\\pi}{4}", "$\\boxed{\\dfrac{\\pi}{4}}$" },
        { "math", "y=2x+3", "$\\boxed{y = 2x + 3}$" },
        { "math", "6", "The final answer is $\\boxed{6}$. I hope it is correct." },
        { "math", "0", "$\\boxed{0}$" },
        { "math", "\\text{(E)}", "$\\boxed{\\textbf{(E)}}$" },
        // more of the forms competition-math golds and models use for the same value
        { "math", "10{,}000", "$\\boxed{10000}$" },
        { "math", "5~\\text{cm}", "$\\boxed{5}$" },
        { "math", "\\frac{\\sqrt{3}}{2}", "$\\boxed{\\sqrt{3}/2}$" },
        { "math", "\\frac{3\\pi}{4}", "$\\boxed{3\\pi/4}$" },
        { "math", "\\frac{\\pi}{2}", "$\\boxed{\\pi/2}$" },
        { "math", "-\\frac{\\pi}{3}", "$\\boxed{-\\pi/3}$" },
        { "math", "\\frac{1}{2}", "$\\boxed{{\\frac{1}{2}}}$" },
        { "math", "12", "$\\boxed{12 \\mbox{ inches}}$" },
        { "math", "\\dfrac{9}{4}", "$\\boxed{2\\tfrac{1}{4}}$" },
        { "math", "8", "$\\boxed{\\mathbf{8}}$" },
        { "math", "30", "$\\boxed{30^{\\circ}}$" },
        { "math", "45", "$\\boxed{45^\\circ \\text{C}}$" },
        { "math", "\\frac{1}{4}", "$\\boxed{\\left(\\frac{1}{4}\\right)}$" },
        { "math", "5", "$\\boxed{5 \\text{ units}^2}$" },
        { "math", "2\\sqrt{2}", "$\\boxed{2 \\sqrt{2} \\text{ cm}}$" },
        { "math", "(-\\infty,0)\\cup(0,\\infty)", "$\\boxed{(-\\infty, 0) \\cup (0, \\infty)}$" },
        { "math", "\\frac{1}{2}", "$\\boxed{.5}$" },
        // output prediction written without JSON: assertions, fences, tags, "returns"
        { "exact", "'cba'", "The function reverses the string.\n```python\nassert f('abc') == 'cba'\n```" },
        { "exact", "'cba'", "```python\nassert f('abc') == 'cba'\n```" },
        { "exact", "'cba'", "[PYTHON]\nassert f('abc') == 'cba'\n[/PYTHON]" },
        { "exact", "'cba'", "Let's trace it step by step.\n1. s = 'abc'\n2. reversed -> 'cba'\n\nassert f('abc') == 'cba'" },
        { "exact", "[3, 2, 1]", "Step by step...\n\n```\n[3, 2, 1]\n```" },
        { "exact", "'cba'", "Output: 'cba'" },
        { "exact", "'cba'", "**Output:** `'cba'`" },
        { "exact", "'cba'", "The return value is 'cba'." },
        { "exact", "'cba'", "f('abc') returns 'cba'." },
        { "exact", "'cba'", "So, f('abc') = 'cba'." },
        { "exact", "'cba'", "Therefore the result is 'cba'." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_response_reads_as_its_gold_answer(string type, string gold, string response)
    {
        Assert.True(AnswerTypes.TryParse(type, out AnswerType answerType));
        string? want = AnswerExtractor.Normalize(gold, answerType);
        Assert.NotNull(want);
        Assert.Equal(want, AnswerExtractor.Extract(response, answerType));
    }

    [Theory]
    [InlineData("'a'", "'b'")]
    [InlineData("''", "' '")]
    [InlineData("'abc.'", "'abc'")]
    [InlineData("[1, 2]", "(2, 1)")]
    public void Different_literals_stay_different(string left, string right)
        => Assert.NotEqual(AnswerExtractor.Normalize(left, AnswerType.Exact), AnswerExtractor.Normalize(right, AnswerType.Exact));

    [Theory]
    [InlineData("\\pi/2", "\\pi/3")]
    [InlineData("2\\frac{1}{4}", "\\frac{2}{4}")]
    [InlineData("(1,2)", "1,2")]
    [InlineData("(x+1)(x-1)", "x+1")]
    public void Different_math_answers_stay_different(string left, string right)
        => Assert.NotEqual(AnswerExtractor.Normalize(left, AnswerType.Math), AnswerExtractor.Normalize(right, AnswerType.Math));

    [Fact]
    public void A_made_up_next_exercise_is_cut_only_after_a_stated_answer()
    {
        // Without an answer before it, "Question:" is the model restating the problem, and what follows counts.
        Assert.Equal("7", AnswerExtractor.Extract("Let me restate.\nQuestion: how many?\nWe add 3 and 4. The answer is 7.", AnswerType.Math));
        Assert.Equal("12", AnswerExtractor.Extract("#### 12\n\nQ: What is 1+1?\nA: 2. The answer is 2.", AnswerType.Math));
    }

    public static TheoryData<string, string> ChoiceCases => new()
    {
        { "B", "Answer: (B) Paris" },
        { "B", "B) Paris" },
        { "B", "**B**" },
        { "B", "The correct answer is: **B. Paris**" },
        { "B", "The correct answer is **(B) Paris**." },
        { "B", "Answer: B\n\nExplanation: Option C is wrong because..." },
        { "B", "I believe the answer is B because Paris is the capital." },
        { "B", "Therefore, the answer is B." },
        { "B", "The answer is: B" },
        { "B", "So the final answer is (B)." },
        { "B", "Final Answer: B" },
        { "B", "The best answer is B." },
        { "B", "**Answer: B**" },
        { "B", "Correct option: B" },
        { "B", "The answer is $\\boxed{B}$" },
        { "B", "{\"answer\": \"B\"}" },
        { "B", "Paris is the capital of France. (B)" },
        { "B", "The correct choice is B: Paris." },
        { "B", "Let's analyze each option:\nA. London - no\nB. Paris - yes\nC. Rome - no\n\nThe answer is B." },
        { "B", "B. Paris\n\nParis is the capital and most populous city of France." },
        { "B", "the answer is (b)" },
        { "B", "Answer: **B**" },
        { "B", "#### B" },
        { "B", "The answer is option B." },
        { "B", "Option (B) is correct." },
        { "B", "The right answer is B) Paris." },
    };

    [Theory]
    [MemberData(nameof(ChoiceCases))]
    public void A_choice_is_read_in_the_forms_models_write(string gold, string response)
        => Assert.Equal(gold, AnswerExtractor.Extract(response, AnswerType.Choice, ["London", "Paris", "Rome", "Berlin"]));
}
