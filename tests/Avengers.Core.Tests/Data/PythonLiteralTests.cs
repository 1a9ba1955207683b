using Avengers.Data.Import;
using Avengers.Answers;

namespace Avengers.Tests.Data;

public class PythonLiteralTests
{
    [Fact]
    public void Reads_lists_dicts_and_escapes()
    {
        var list = Assert.IsType<List<object?>>(PythonLiteral.Parse("['Calcutta.', \"Bombay's\", 'it\\'s', None]"));
        Assert.Equal(["Calcutta.", "Bombay's", "it's", null], list);
        var dict = Assert.IsType<Dictionary<string, object?>>(PythonLiteral.Parse("{'text': ['1', '2'], 'labels': ['A', 'B']}"));
        Assert.Equal(["1", "2"], Assert.IsType<List<object?>>(dict["text"]));
    }

    [Theory]
    [InlineData("['unterminated")]
    [InlineData("['a' 'b']")]
    [InlineData("{'a' 1}")]
    public void Malformed_literals_say_where(string text)
        => Assert.Throws<FormatException>(() => PythonLiteral.Parse(text));
}
