using System.Text.Json;
using Avengers.Ensemble;
using Microsoft.Extensions.AI;

namespace Avengers.Server.Gateway;

/// <summary>
/// Adds OpenAI's <c>n</c> to a backend: several samples from one <c>/chat/completions</c> request (through
/// the backend's resilient HttpClient). A backend that returns fewer choices than asked (it ignores
/// <c>n</c>) is topped up with parallel single requests and is not asked for <c>n</c> again.
/// </summary>
internal sealed class MultiSampleChatClient(IChatClient inner, HttpClient http, Uri baseUrl, string model, string apiKey)
    : DelegatingChatClient(inner), IMultiSampleChatClient
{
    private volatile bool _ignoresN;

    public async Task<IReadOnlyList<ChatResponse>> GetResponsesAsync(IEnumerable<ChatMessage> messages, int count, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        List<ChatMessage> history = [.. messages];
        var responses = new List<ChatResponse>(count);
        if (!_ignoresN && count > 1)
        {
            responses.AddRange(await RequestAsync(history, count, options, cancellationToken).ConfigureAwait(false));
            if (responses.Count < count) _ignoresN = true;
        }
        if (responses.Count < count)
        {
            Task<ChatResponse>[] rest = Enumerable.Range(0, count - responses.Count).Select(_ => base.GetResponseAsync(history, options, cancellationToken)).ToArray();
            responses.AddRange(await Task.WhenAll(rest).ConfigureAwait(false));
        }
        return responses;
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType == typeof(IMultiSampleChatClient) ? this : base.GetService(serviceType, serviceKey);

    /// <summary>The sampling settings the OpenAI client would send for the same options (this request is built by hand for its n).</summary>
    internal static void AddSampling(Dictionary<string, object?> body, ChatOptions? options)
    {
        if (options is null) return;
        if (options.TopP is float topP) body["top_p"] = topP;
        if (options.StopSequences is { Count: > 0 } stop) body["stop"] = stop;
        if (options.Seed is long seed) body["seed"] = seed;
        if (options.PresencePenalty is float presence) body["presence_penalty"] = presence;
        if (options.FrequencyPenalty is float frequency) body["frequency_penalty"] = frequency;
        switch (options.ResponseFormat)
        {
            case ChatResponseFormatText: body["response_format"] = new Dictionary<string, object?> { ["type"] = "text" }; break;
            case ChatResponseFormatJson { Schema: null }: body["response_format"] = new Dictionary<string, object?> { ["type"] = "json_object" }; break;
            case ChatResponseFormatJson json:
                var schema = new Dictionary<string, object?> { ["name"] = json.SchemaName ?? "response", ["schema"] = json.Schema };
                if (json.SchemaDescription is string description) schema["description"] = description;
                body["response_format"] = new Dictionary<string, object?> { ["type"] = "json_schema", ["json_schema"] = schema };
                break;
        }
    }

    private async Task<List<ChatResponse>> RequestAsync(List<ChatMessage> history, int count, ChatOptions? options, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object?>
        {
            ["model"] = model,
            ["n"] = count,
            ["messages"] = history.Select(m => new { role = m.Role.Value, content = m.Text }).ToArray(),
        };
        if (options?.Temperature is float temperature) body["temperature"] = temperature;
        if (options?.MaxOutputTokens is int maxTokens) body["max_tokens"] = maxTokens;
        AddSampling(body, options);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl.ToString().TrimEnd('/') + "/chat/completions")) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{model}: {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        using JsonDocument document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
        var responses = new List<ChatResponse>();
        if (document.RootElement.TryGetProperty("choices", out JsonElement choices) && choices.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement choice in choices.EnumerateArray())
            {
                string text = choice.TryGetProperty("message", out JsonElement message) && message.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String
                    ? content.GetString()! : "";
                responses.Add(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { ModelId = model });
            }
        }
        // One request's usage covers all its choices: it goes on the first, so that summing over samples counts it once.
        if (responses.Count > 0 && document.RootElement.TryGetProperty("usage", out JsonElement usage) && usage.ValueKind == JsonValueKind.Object)
        {
            long? Count(string name) => usage.TryGetProperty(name, out JsonElement v) && v.TryGetInt64(out long n) ? n : null;
            responses[0].Usage = new UsageDetails { InputTokenCount = Count("prompt_tokens"), OutputTokenCount = Count("completion_tokens"), TotalTokenCount = Count("total_tokens") };
        }
        return responses;
    }
}
