using System.Text.Json.Serialization;

namespace Avengers.Evaluation;

/// <summary>
/// Responses of one model whose answer could not be read (they never vote and grade as wrong), over the
/// training and test items, with two examples. Above <see cref="WarnAbove"/> the experiment warns.
/// </summary>
public sealed record UnreadableReport(
    [property: JsonPropertyName("unreadable")] int Unreadable,
    [property: JsonPropertyName("responses")] int Responses,
    [property: JsonPropertyName("rate")] double Rate,
    [property: JsonPropertyName("examples")] IReadOnlyList<string> Examples)
{
    /// <summary>The unreadable share above which the experiment warns.</summary>
    public const double WarnAbove = 0.20;
    /// <summary>True when the unreadable share is above <see cref="WarnAbove"/>.</summary>
    [JsonIgnore] public bool Warn => Rate > WarnAbove;
}
