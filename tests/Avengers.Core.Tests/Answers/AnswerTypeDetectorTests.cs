using Avengers.Answers;

namespace Avengers.Tests.Answers;

/// <summary>How live responses are read when calibration left the query's clusters without an answer type.</summary>
public class AnswerTypeDetectorTests
{
    [Theory]
    [InlineData(AnswerType.Choice, "The answer is (B).", "Answer: C", "I think the answer is B.")]
    [InlineData(AnswerType.Math, "So x = \\boxed{4}.", "#### 4", "The total is \\boxed{5}.")]
    [InlineData(AnswerType.Exact, "{\"reasoning\": \"reverse\", \"answer\": \"cba\"}", "```json\n{\"answer\": \"cba\"}\n```", "{'answer': 'abc',}")]
    [InlineData(AnswerType.Text, "Paris is lovely in spring.", "It depends on the season.", "{\"answer\": \"x\"}")]
    [InlineData(AnswerType.Choice, "Let me see.\n(B)", "B", "**C**")]
    [InlineData(AnswerType.Text, "Options:\nA. London\nB. Paris", "A. first point\nB. second point", "Paris.")] // a lettered list is no answer
    public void Most_responses_decide_the_type(AnswerType expected, string first, string second, string third)
        => Assert.Equal(expected, AnswerTypeDetector.Detect([first, second, third]));
}
