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

    /// <summary>
    /// The record as one JSON line, with <c>rated_utc</c> (for replaying it with its age) and the rater's <c>comment</c>,
    /// if any, beside the benchmark fields (which readers of the format ignore).
    /// </summary>
    public static string Line(BenchmarkRecord record, DateTimeOffset ratedAt, string? comment = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            BenchmarkWriter.WriteRecord(writer, record);
        var line = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(buffer.WrittenSpan)!;
        line["rated_utc"] = ratedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        if (comment is not null) line["comment"] = comment;
        return line.ToJsonString(LineJson);
    }

    private static readonly JsonSerializerOptions LineJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A logged rating read back: the question, each rated model's outcome, when it was given. False for a line without a time or torn.</summary>
    public static bool TryParse(string line, out (string Query, IReadOnlyList<ModelOutcome> Outcomes, DateTimeOffset RatedAt) rating)
    {
        rating = default;
        try
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            if (!root.TryGetProperty("query", out JsonElement query) || query.ValueKind != JsonValueKind.String) return false;
            if (!root.TryGetProperty("rated_utc", out JsonElement at) || !at.TryGetDateTimeOffset(out DateTimeOffset ratedAt)) return false;
            if (!root.TryGetProperty("outputs", out JsonElement outputs) || outputs.ValueKind != JsonValueKind.Object) return false;
            var outcomes = new List<ModelOutcome>();
            foreach (JsonProperty model in outputs.EnumerateObject())
                if (model.Value.ValueKind == JsonValueKind.Array && model.Value.GetArrayLength() > 0 && model.Value[0].TryGetProperty("score", out JsonElement score) && score.TryGetDouble(out double outcome))
                    outcomes.Add(new ModelOutcome(model.Name, outcome));
            rating = (query.GetString()!, outcomes, ratedAt);
            return outcomes.Count > 0;
        }
        catch (JsonException) { return false; }
    }
}
