namespace Avengers.Answers;

/// <summary>A Python tuple (compared like a list).</summary>
internal sealed class LiteralTuple(List<object?> items)
{
    public List<object?> Items { get; } = items;
}
