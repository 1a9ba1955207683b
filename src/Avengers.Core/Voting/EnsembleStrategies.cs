namespace Avengers.Voting;

/// <summary>Wire names of the strategies, and parsing.</summary>
public static class EnsembleStrategies
{
    /// <summary>Models whose samples vote unless set: one, self-consistency of the top model (the paper's default).</summary>
    public const int DefaultTopN = 1;

    /// <summary>The switch strategy's threshold unless set.</summary>
    public const double DefaultSwitchThreshold = 0.8;

    /// <summary>Parses direct, vote or switch (any case).</summary>
    public static bool TryParse(string? name, out EnsembleStrategy strategy)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "direct": strategy = EnsembleStrategy.Direct; return true;
            case "vote" or "self-consistency" or "sc": strategy = EnsembleStrategy.Vote; return true;
            case "switch" or "model-switch": strategy = EnsembleStrategy.Switch; return true;
            default: strategy = default; return false;
        }
    }

    /// <summary>The strategy's wire name.</summary>
    public static string ToWireName(this EnsembleStrategy strategy) => strategy.ToString().ToLowerInvariant();
}
