using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Avengers.Server.OpenAI;

/// <summary>The parts of an OpenAI chat completion request the gateway and the replay server use.</summary>
public sealed record ChatCompletionRequest(string Model, IReadOnlyList<ChatMessage> Messages, bool Stream, float? Temperature, int? MaxTokens, int N, JsonElement? Avengers)
{
    /// <summary><c>stream_options.include_usage</c>: end the stream with a chunk holding the usage of the whole answer.</summary>
    public bool IncludeUsage { get; init; }

    /// <summary>Sampling settings passed on to the backends as they are (top_p, stop, seed, penalties, response_format).</summary>
    public SamplingParameters Sampling { get; init; } = new();

    /// <summary>The request's settings as the options every backend call is made with.</summary>
    public ChatOptions ToChatOptions() => new()
    {
        Temperature = Temperature,
        MaxOutputTokens = MaxTokens,
        TopP = Sampling.TopP,
        StopSequences = Sampling.Stop?.ToList(),
        Seed = Sampling.Seed,
        PresencePenalty = Sampling.PresencePenalty,
        FrequencyPenalty = Sampling.FrequencyPenalty,
        ResponseFormat = Sampling.ResponseFormat,
    };

    /// <summary>The text of the last user message (what routing and replay look up).</summary>
    public string LastUserText => Messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";

    /// <summary>Parses and validates a request body; the error names the offending field.</summary>
    public static bool TryParse(JsonElement root, out ChatCompletionRequest? request, out string? error, out string? param)
    {
        try { return TryParseCore(root, out request, out error, out param); }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to decode a string holding a lone surrogate or invalid UTF-8.
            request = null; param = null;
            error = "a string in the request is not valid Unicode (a lone surrogate or invalid UTF-8)";
            return false;
        }
    }

    private static bool TryParseCore(JsonElement root, out ChatCompletionRequest? request, out string? error, out string? param)
    {
        request = null; error = null; param = null;
        if (root.ValueKind != JsonValueKind.Object) { error = "the request body must be a JSON object"; return false; }
        if (!root.TryGetProperty("model", out JsonElement model) || model.ValueKind != JsonValueKind.String || model.GetString()!.Length == 0)
        { error = "'model' is required and must be a non-empty string"; param = "model"; return false; }
        if (!root.TryGetProperty("messages", out JsonElement messages) || messages.ValueKind != JsonValueKind.Array)
        { error = "'messages' is required and must be an array"; param = "messages"; return false; }
        if (messages.GetArrayLength() == 0) { error = "'messages' must contain at least one message"; param = "messages"; return false; }

        var parsed = new List<ChatMessage>();
        int index = 0;
        foreach (JsonElement message in messages.EnumerateArray())
        {
            string field = $"messages[{index++}]";
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out JsonElement role) || role.ValueKind != JsonValueKind.String)
            { error = $"'{field}.role' is required"; param = field + ".role"; return false; }
            ChatRole? known = role.GetString() switch
            {
                "system" or "developer" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                "tool" or "function" => ChatRole.Tool,
                _ => null,
            };
            if (known is not ChatRole chatRole)
            { error = $"'{field}.role' must be one of system, developer, user, assistant, tool"; param = field + ".role"; return false; }
            string text = "";
            if (message.TryGetProperty("content", out JsonElement content))
            {
                if (content.ValueKind == JsonValueKind.String) text = content.GetString()!;
                else if (content.ValueKind == JsonValueKind.Array)
                {
                    var builder = new System.Text.StringBuilder();
                    int partIndex = 0;
                    foreach (JsonElement part in content.EnumerateArray())
                    {
                        string partField = $"{field}.content[{partIndex++}]";
                        if (part.ValueKind != JsonValueKind.Object) { error = $"'{partField}' must be an object with a 'type'"; param = partField; return false; }
                        if (!part.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String) { error = $"'{partField}.type' must be a string"; param = partField + ".type"; return false; }
                        if (type.GetString() != "text") continue; // images and other parts do not route
                        if (!part.TryGetProperty("text", out JsonElement partText) || partText.ValueKind != JsonValueKind.String) { error = $"'{partField}.text' must be a string"; param = partField + ".text"; return false; }
                        builder.Append(partText.GetString());
                    }
                    text = builder.ToString();
                }
                else if (content.ValueKind != JsonValueKind.Null) { error = $"'{field}.content' must be a string or an array of parts"; param = field + ".content"; return false; }
            }
            parsed.Add(new ChatMessage(chatRole, text));
        }
        int lastUser = parsed.FindLastIndex(m => m.Role == ChatRole.User);
        if (lastUser < 0) { error = "'messages' must contain a user message with text"; param = "messages"; return false; }
        if (string.IsNullOrWhiteSpace(parsed[lastUser].Text))
        { error = $"'messages[{lastUser}].content': the last user message has no text to answer"; param = $"messages[{lastUser}].content"; return false; }

        bool stream = false;
        if (root.TryGetProperty("stream", out JsonElement s) && s.ValueKind != JsonValueKind.Null)
        {
            if (s.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) { error = $"'stream' must be true or false, found {s.GetRawText()}"; param = "stream"; return false; }
            stream = s.ValueKind == JsonValueKind.True;
        }
        float? temperature = null;
        if (root.TryGetProperty("temperature", out JsonElement temp) && temp.ValueKind != JsonValueKind.Null)
        {
            if (temp.ValueKind != JsonValueKind.Number || temp.GetDouble() is < 0 or > 2) { error = "'temperature' must be a number between 0 and 2"; param = "temperature"; return false; }
            temperature = (float)temp.GetDouble();
        }
        int? maxTokens = null;
        foreach (string name in new[] { "max_tokens", "max_completion_tokens" })
        {
            if (root.TryGetProperty(name, out JsonElement mt) && mt.ValueKind != JsonValueKind.Null)
            {
                if (mt.ValueKind != JsonValueKind.Number || !mt.TryGetInt32(out int v) || v < 1) { error = $"'{name}' must be a positive integer"; param = name; return false; }
                maxTokens = v;
            }
        }
        int n = 1;
        if (root.TryGetProperty("n", out JsonElement nElement) && nElement.ValueKind != JsonValueKind.Null)
        {
            const int max = Ensemble.EnsembleSettings.MaxSamples;
            if (nElement.ValueKind != JsonValueKind.Number || !nElement.TryGetInt32(out n) || n is < 1 or > max) { error = $"'n' must be an integer between 1 and {max}"; param = "n"; return false; }
        }
        bool includeUsage = false;
        if (root.TryGetProperty("stream_options", out JsonElement so) && so.ValueKind != JsonValueKind.Null)
        {
            if (so.ValueKind != JsonValueKind.Object) { error = "'stream_options' must be an object"; param = "stream_options"; return false; }
            if (so.TryGetProperty("include_usage", out JsonElement iu) && iu.ValueKind != JsonValueKind.Null)
            {
                if (iu.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) { error = "'stream_options.include_usage' must be true or false"; param = "stream_options.include_usage"; return false; }
                includeUsage = iu.ValueKind == JsonValueKind.True;
            }
        }
        if (root.TryGetProperty("tools", out JsonElement tools) && tools.ValueKind is not (JsonValueKind.Null or JsonValueKind.Array))
        { error = $"'tools' must be an array of tools, found {tools.ValueKind.ToString().ToLowerInvariant()}"; param = "tools"; return false; }
        if (tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0)
        { error = "'tools': tool calling is not supported (the gateway answers with text, voted on by its final answer)"; param = "tools"; return false; }
        if (root.TryGetProperty("avengers", out JsonElement given) && given.ValueKind is not (JsonValueKind.Null or JsonValueKind.Object))
        { error = $"'avengers' must be an object of overrides such as {{\"strategy\": \"vote\", \"n\": 5}}, found {given.ValueKind.ToString().ToLowerInvariant()}"; param = "avengers"; return false; }
        if (!SamplingParameters.TryParse(root, out SamplingParameters sampling, out error, out param)) return false;
        JsonElement? avengers = root.TryGetProperty("avengers", out JsonElement a) && a.ValueKind == JsonValueKind.Object ? a.Clone() : null;
        request = new ChatCompletionRequest(model.GetString()!, parsed, stream, temperature, maxTokens, n, avengers) { IncludeUsage = includeUsage, Sampling = sampling };
        return true;
    }
}
