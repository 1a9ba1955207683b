using Avengers.Answers;

namespace Avengers.Tests.Answers;

public class LiteralParserTests
{
    [Fact]
    public void Reads_lists_dicts_and_escapes()
    {
        // The one literal parser the answers are read with also reads the LLMRouter metadata's Python literals.
        Assert.Equal(["Calcutta.", "Bombay's", "it's", ""], LenientJson.AsStrings(LenientJson.Parse("['Calcutta.', \"Bombay's\", 'it\\'s', None]")));
        object? dict = LenientJson.Parse("{'text': ['1', '2'], 'labels': ['A', 'B']}");
        Assert.Equal(["1", "2"], LenientJson.AsStrings(LenientJson.Field(dict, "text")));
        Assert.Equal(["1", "2.50"], LenientJson.AsStrings(LenientJson.Parse("(1, 2.50)")));
    }

    [Theory]
    [InlineData("['unterminated")]
    [InlineData("['a' 'b']")]
    [InlineData("{'a' 1}")]
    public void Malformed_literals_say_where(string text)
        => Assert.Contains("offset", Assert.Throws<FormatException>(() => LenientJson.Parse(text)).Message);
}
