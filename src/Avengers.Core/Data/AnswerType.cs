namespace Avengers.Data;

/// <summary>How a query's answer is extracted from a response and compared with the gold answer.</summary>
public enum AnswerType
{
    /// <summary>Multiple choice: a letter (A, B, ...).</summary>
    Choice,
    /// <summary>A mathematical result: boxed, "the answer is", "####", numbers and fractions normalised.</summary>
    Math,
    /// <summary>Exact string match after whitespace and case folding.</summary>
    Exact,
    /// <summary>A classification label from a known set (the record's <c>choices</c>).</summary>
    Label,
    /// <summary>Program text; voted on by normalised code text.</summary>
    Code,
    /// <summary>Free text: no reliable vote; graded only by a recorded score.</summary>
    Text,
}

internal static class AnswerTypes
{
    /// <summary>The wire names used in benchmark files, in enum order.</summary>
    public static readonly IReadOnlyList<string> Names = ["choice", "math", "exact", "label", "code", "text"];

    public static bool TryParse(string? name, out AnswerType type)
    {
        int index = name is null ? -1 : Names.IndexOf(name.Trim().ToLowerInvariant());
        type = index < 0 ? AnswerType.Text : (AnswerType)index;
        return index >= 0;
    }

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
