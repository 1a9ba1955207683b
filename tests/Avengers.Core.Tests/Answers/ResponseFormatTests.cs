using Avengers.Answers;

namespace Avengers.Tests.Answers;

/// <summary>
/// Gold answers that must stay apart. The responses as small models write them (grade-school and competition math,
/// output prediction, multiple choice) are the corpus, tests/corpus/answers.jsonl.
/// </summary>
public class ResponseFormatTests
{
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
}
