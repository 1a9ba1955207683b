namespace Avengers.Answers;

/// <summary>Wire names of the answer types, and the type a gold answer implies.</summary>
public static class AnswerTypes
{
    /// <summary>
    /// The answer type of a record whose file does not say: none without a gold answer (scores only); choice when the
    /// gold is an option's letter or text; math when it is a number, a fraction or LaTeX; otherwise exact (a literal).
    /// </summary>
    public static AnswerType Infer(string? gold, IReadOnlyList<string>? choices)
    {
        if (string.IsNullOrWhiteSpace(gold)) return AnswerType.Text;
        string g = gold.Trim();
        if (choices is { Count: > 0 and <= 26 })
        {
            string letter = g.Trim('(', ')', '[', ']', '.', ' ');
            if (letter.Length == 1 && char.ToUpperInvariant(letter[0]) is >= 'A' and var c && c < (char)('A' + choices.Count)) return AnswerType.Choice;
            if (choices.Any(choice => string.Equals(choice.Trim(), g, StringComparison.OrdinalIgnoreCase))) return AnswerType.Choice;
        }
        // A number, a fraction, LaTeX, or a worked solution ending in GSM8K's "#### 72".
        if (g.Contains('\\') || g.Contains("####", StringComparison.Ordinal) || Avengers.Answers.MathNormalizer.TryRational(g.Replace("$", ""), out _, out _)) return AnswerType.Math;
        return AnswerType.Exact;
    }

    /// <summary>The wire names used in benchmark files, in enum order.</summary>
    public static readonly IReadOnlyList<string> Names = ["choice", "math", "exact", "label", "code", "text"];

    /// <summary>Parses a wire name (any case, surrounding spaces allowed); false (and <see cref="AnswerType.Text"/>) for an unknown one.</summary>
    public static bool TryParse(string? name, out AnswerType type)
    {
        int index = name is null ? -1 : Names.IndexOf(name.Trim().ToLowerInvariant());
        type = index < 0 ? AnswerType.Text : (AnswerType)index;
        return index >= 0;
    }

    /// <summary>The type's wire name, as benchmark files and the gateway's headers write it.</summary>
    public static string ToWireName(this AnswerType type) => Names[(int)type];

    /// <summary>True when answers of this type can be compared for a majority vote.</summary>
    public static bool IsVotable(this AnswerType type) => type is not AnswerType.Text;
}

file static class ListExtensions
{
    public static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal)) return i;
        }
        return -1;
    }
}
