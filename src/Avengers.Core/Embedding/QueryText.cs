namespace Avengers.Embedding;

/// <summary>The text a query is embedded as: what the user actually asks, options included.</summary>
public static class QueryText
{
    /// <summary>
    /// The question followed by its lettered options, one per line, when it has any. A multiple-choice
    /// question reaches a model with its options, so the router sees them too.
    /// </summary>
    public static string ForEmbedding(string query, IReadOnlyList<string>? choices)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (choices is null || choices.Count == 0) return query;
        var builder = new System.Text.StringBuilder(query);
        for (int i = 0; i < choices.Count; i++)
        {
            builder.Append('\n');
            builder.Append(i < 26 ? (char)('A' + i) : '?');
            builder.Append(". ");
            builder.Append(choices[i]);
        }
        return builder.ToString();
    }
}
