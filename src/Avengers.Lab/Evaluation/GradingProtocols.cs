namespace Avengers.Evaluation;

/// <summary>Names of the grading protocols on the command line and in results.</summary>
public static class GradingProtocols
{
    /// <summary>Parses <c>strict</c> or <c>mmlu-pro</c> (null: strict).</summary>
    /// <exception cref="ArgumentException">Any other name.</exception>
    public static GradingProtocol Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "strict" => GradingProtocol.Strict,
        "mmlu-pro" => GradingProtocol.MmluPro,
        _ => throw new ArgumentException($"unknown grading protocol '{text}'; expected strict or mmlu-pro"),
    };

    /// <summary>The protocol's name on the command line and in results.</summary>
    public static string ToWireName(this GradingProtocol protocol) => protocol switch
    {
        GradingProtocol.MmluPro => "mmlu-pro",
        _ => "strict",
    };
}
