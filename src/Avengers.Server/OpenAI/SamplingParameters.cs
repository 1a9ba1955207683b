using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Avengers.Server.OpenAI;

/// <summary>OpenAI's sampling settings the gateway does not interpret but passes on to every backend call.</summary>
public sealed record SamplingParameters
{
    /// <summary>Nucleus sampling mass, [0, 1].</summary>
    public float? TopP { get; init; }
    /// <summary>Up to four stop sequences.</summary>
    public IReadOnlyList<string>? Stop { get; init; }
    /// <summary>The backends' sampling seed.</summary>
    public long? Seed { get; init; }
    /// <summary>[-2, 2].</summary>
    public float? PresencePenalty { get; init; }
    /// <summary>[-2, 2].</summary>
    public float? FrequencyPenalty { get; init; }
    /// <summary>text, json_object, or json_schema with its schema.</summary>
    public ChatResponseFormat? ResponseFormat { get; init; }

    internal static bool TryParse(JsonElement root, out SamplingParameters sampling, out string? error, out string? param)
    {
        sampling = new SamplingParameters();
        error = null; param = null;
        bool Fail(string name, string message, out string? e, out string? p) { e = $"'{name}' {message}"; p = name; return false; }
        JsonElement? Get(string name) => root.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null ? v : null;

        if (Get("top_p") is JsonElement topP)
        {
            if (topP.ValueKind != JsonValueKind.Number || topP.GetDouble() is < 0 or > 1) return Fail("top_p", "must be a number between 0 and 1", out error, out param);
            sampling = sampling with { TopP = (float)topP.GetDouble() };
        }
        foreach (string name in new[] { "presence_penalty", "frequency_penalty" })
        {
            if (Get(name) is not JsonElement penalty) continue;
            if (penalty.ValueKind != JsonValueKind.Number || penalty.GetDouble() is < -2 or > 2) return Fail(name, "must be a number between -2 and 2", out error, out param);
            sampling = name == "presence_penalty" ? sampling with { PresencePenalty = (float)penalty.GetDouble() } : sampling with { FrequencyPenalty = (float)penalty.GetDouble() };
        }
        if (Get("seed") is JsonElement seed)
        {
            if (seed.ValueKind != JsonValueKind.Number || !seed.TryGetInt64(out long value)) return Fail("seed", "must be an integer", out error, out param);
            sampling = sampling with { Seed = value };
        }
        if (Get("stop") is JsonElement stop)
        {
            if (stop.ValueKind == JsonValueKind.String) sampling = sampling with { Stop = [stop.GetString()!] };
            else if (stop.ValueKind == JsonValueKind.Array && stop.GetArrayLength() <= 4 && stop.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
                sampling = sampling with { Stop = stop.GetArrayLength() == 0 ? null : stop.EnumerateArray().Select(e => e.GetString()!).ToArray() };
            else return Fail("stop", "must be a string or an array of up to four strings", out error, out param);
        }
        if (Get("response_format") is JsonElement format)
        {
            string? type = format.ValueKind == JsonValueKind.Object && format.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "text": sampling = sampling with { ResponseFormat = ChatResponseFormat.Text }; break;
                case "json_object": sampling = sampling with { ResponseFormat = ChatResponseFormat.Json }; break;
                case "json_schema":
                    if (!format.TryGetProperty("json_schema", out JsonElement js) || js.ValueKind != JsonValueKind.Object
                        || !js.TryGetProperty("schema", out JsonElement schema) || schema.ValueKind != JsonValueKind.Object)
                        return Fail("response_format.json_schema", "must be an object with a 'schema' object", out error, out param);
                    string? name = js.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                    string? description = js.TryGetProperty("description", out JsonElement d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                    sampling = sampling with { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.Clone(), name, description) };
                    break;
                default: return Fail("response_format", "must be an object whose 'type' is \"text\", \"json_object\" or \"json_schema\"", out error, out param);
            }
        }
        return true;
    }
}
