using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace Avengers.Ensemble;

/// <summary>Tokens one model consumed for an answer: every sample that came back counts, the voters that lost too.</summary>
public sealed record ModelUsage(
    [property: JsonPropertyName("samples")] int Samples,
    [property: JsonPropertyName("input_tokens")] long InputTokens,
    [property: JsonPropertyName("output_tokens")] long OutputTokens)
{
    /// <summary>Per model, in order of first appearance; a response without usage counts as a sample of 0 tokens.</summary>
    public static IReadOnlyDictionary<string, ModelUsage> Of(IEnumerable<(string Model, ChatResponse Response)> responses)
    {
        var usage = new Dictionary<string, ModelUsage>(StringComparer.Ordinal);
        foreach (var (model, response) in responses)
        {
            ModelUsage current = usage.GetValueOrDefault(model) ?? new ModelUsage(0, 0, 0);
            usage[model] = new ModelUsage(current.Samples + 1,
                current.InputTokens + (response.Usage?.InputTokenCount ?? 0), current.OutputTokens + (response.Usage?.OutputTokenCount ?? 0));
        }
        return usage;
    }

    /// <summary>The total over models, as the usage of the ensemble's answer.</summary>
    public static UsageDetails Total(IReadOnlyDictionary<string, ModelUsage> usage)
    {
        long input = usage.Values.Sum(u => u.InputTokens), output = usage.Values.Sum(u => u.OutputTokens);
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
    }
}
