namespace Avengers.Server.Configuration;

/// <summary>The configuration is unusable; <see cref="Problems"/> lists every reason.</summary>
public sealed class GatewayConfigException(IReadOnlyList<string> problems)
    : AvengersException("invalid configuration:\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
