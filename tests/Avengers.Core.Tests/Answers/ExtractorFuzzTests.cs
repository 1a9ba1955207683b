using System.Text;
using Avengers.Answers;

namespace Avengers.Tests.Answers;

/// <summary>
/// The answer extractors over hostile model outputs (seeded): megabyte responses, deeply nested or broken
/// JSON, long runs of the characters the patterns look for. They must neither throw nor hang; the bound
/// below only catches a runaway (a backtracking pattern takes minutes on such input, the extractors milliseconds).
/// </summary>
public class ExtractorFuzzTests
{
    private static readonly string[] Pieces =
    [
        "{", "}", "[", "]", "\"answer\": ", "'answer': ", "answer: ", "The answer is ", "\\boxed{", "####", "(A)", "**", "```json\n", "```",
        "[ANSWER]", "[/ANSWER]", "assert f(1) == ", "\\frac{", "1/2", "0.5", ", ", "\n", "\n\n", "\"", "'", "\\", "True", "None", "null", "{\"a\": ",
        "answer is (", "final_answer", "The output is ", "   ", "é", "\U0001F600", "\u0000",
    ];

    private static string Hostile(Random random)
    {
        switch (random.Next(6))
        {
            case 0: return new string('{', random.Next(1, 200_000));
            case 1: return string.Concat(Enumerable.Repeat("{\"answer\": [", random.Next(1, 50_000)));
            case 2: return new string('x', 1_000_000) + "The answer is (C)." + new string(' ', 1000);
            case 3: return string.Concat(Enumerable.Repeat("answer is (", random.Next(1, 100_000)));
            default:
                var builder = new StringBuilder();
                int count = random.Next(1, 3000);
                for (int i = 0; i < count; i++) builder.Append(Pieces[random.Next(Pieces.Length)]);
                return builder.ToString();
        }
    }

    [Fact]
    public void Hostile_outputs_never_throw_nor_hang_for_any_answer_type()
    {
        var random = new Random(42);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        string[] labels = ["positive", "negative"];
        int read = 0;
        for (int i = 0; i < 300; i++)
        {
            string text = Hostile(random);
            foreach (AnswerType type in Enum.GetValues<AnswerType>())
            {
                if (AnswerExtractor.Extract(text, type, type == AnswerType.Label ? labels : null) is not null) read++;
                _ = AnswerExtractor.Normalize(text.Length > 10_000 ? text[..10_000] : text, type);
            }
            _ = StructuredAnswer.Find(text);
            _ = new GradingRule { Regex = @"(?<answer>(a+)+)b" }.Capture(text); // catastrophic pattern: the 1 s match timeout stops it
        }
        Assert.True(read > 0);
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(2), $"took {watch.Elapsed}");
    }
}
