namespace Avengers.Answers;

/// <summary>A change made to a response before any reader sees it (cutting a made-up next exercise).</summary>
public sealed record ResponseStep(string Name, string Reason, Func<string, string> Apply)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}
