using System.Text.Json;
using Avengers.Answers;

namespace Avengers.Data;

/// <summary>Writes records in the JSON Lines benchmark format, fields in a fixed order.</summary>
public static class BenchmarkWriter
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes to a temporary file first and moves it into place, so a failed run never leaves half a file.</summary>
    public static void Write(string path, IEnumerable<BenchmarkRecord> records)
    {
        IO.AtomicFile.Write(path, stream =>
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(1 << 16);
            foreach (BenchmarkRecord record in records)
            {
                buffer.ResetWrittenCount();
                using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) WriteRecord(writer, record);
                stream.Write(buffer.WrittenSpan);
                stream.WriteByte((byte)'\n');
            }
        });
    }

    /// <summary>Writes one record as a JSON object.</summary>
    public static void WriteRecord(Utf8JsonWriter writer, BenchmarkRecord record)
    {
        writer.WriteStartObject();
        writer.WriteString("id", record.Id);
        writer.WriteString("dataset", record.Dataset);
        writer.WriteString("query", record.Query);
        writer.WriteString("answer_type", record.AnswerType.ToWireName());
        if (record.Gold is not null) writer.WriteString("gold", record.Gold);
        if (record.Choices is not null)
        {
            writer.WriteStartArray("choices");
            foreach (string choice in record.Choices) writer.WriteStringValue(choice);
            writer.WriteEndArray();
        }
        if (record.Split is not null) writer.WriteString("split", record.Split);
        if (record.Grading is { } rule)
        {
            writer.WriteStartObject("grading");
            if (rule.Regex is not null) writer.WriteString("regex", rule.Regex);
            if (rule.JsonField is not null) writer.WriteString("json_field", rule.JsonField);
            if (rule.NumericTolerance is double tolerance) writer.WriteNumber("numeric_tolerance", tolerance);
            if (rule.CaseSensitive is bool caseSensitive) writer.WriteBoolean("case_sensitive", caseSensitive);
            writer.WriteEndObject();
        }
        writer.WriteStartObject("outputs");
        foreach ((string model, IReadOnlyList<Sample> samples) in record.Outputs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteStartArray(model);
            foreach (Sample sample in samples)
            {
                writer.WriteStartObject();
                if (sample.Text is not null) writer.WriteString("text", sample.Text);
                if (sample.Answer is not null) writer.WriteString("answer", sample.Answer);
                if (sample.Score is double score) writer.WriteNumber("score", score);
                if (sample.InputTokens is long input) writer.WriteNumber("input_tokens", input);
                if (sample.OutputTokens is long output) writer.WriteNumber("output_tokens", output);
                if (sample.LatencyMs is double latency) writer.WriteNumber("latency_ms", Math.Round(latency, 1));
                if (sample.FinishReason is not null) writer.WriteString("finish_reason", sample.FinishReason);
                if (sample.Error is not null) writer.WriteString("error", sample.Error);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
