using System.Text;
using System.Text.Json;
using Avengers.Answers;
using Avengers.Data;
using StackExchange.Redis;

namespace Avengers.Server.Feedback;

/// <summary>Ratings as benchmark records.</summary>
internal static class FeedbackRecords
{
    /// <summary>The record of one applied rating: each rated model's outcome is its sample's score.</summary>
    public static BenchmarkRecord Of(RememberedDecision decision, IReadOnlyList<ModelOutcome> outcomes) => new()
    {
        Id = decision.Id,
        Dataset = "feedback",
        Query = decision.Query,
        AnswerType = AnswerTypes.TryParse(decision.AnswerType, out AnswerType type) ? type : AnswerType.Text,
        Outputs = outcomes.ToDictionary(o => o.Model, o => (IReadOnlyList<Sample>)[new Sample(Score: o.Outcome)], StringComparer.Ordinal),
    };

    public static string Line(BenchmarkRecord record)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            BenchmarkWriter.WriteRecord(writer, record);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
