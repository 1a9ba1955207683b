using Microsoft.Extensions.Logging;

namespace Avengers.Ensemble;

/// <summary>What the ensemble logs, source-generated; the detail is redacted of configured secrets by the caller.</summary>
internal static partial class EnsembleLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "backend call {What} failed ({Class}): {Detail}")]
    public static partial void BackendCallFailed(ILogger logger, string what, string @class, string detail);
}
