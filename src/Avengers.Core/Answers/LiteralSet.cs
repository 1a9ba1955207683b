namespace Avengers.Answers;

/// <summary>A Python set (compared without order).</summary>
internal sealed class LiteralSet(List<object?> items)
{
    public List<object?> Items { get; } = items;
}
