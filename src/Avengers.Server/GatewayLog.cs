namespace Avengers.Server;

/// <summary>
/// Every message the gateway logs, source-generated (no boxing, no formatting when the level is off). The values are
/// already safe to log: callers redact configured secrets (<c>BackendFailures.Redact</c>) before passing them.
/// </summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "request {Id}: backend {Model} failed: {Detail}")]
    public static partial void BackendFailed(ILogger logger, string id, string? model, string detail);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "request {Id}: stream from {Model} failed mid-way: {Detail}")]
    public static partial void StreamFailed(ILogger logger, string id, string? model, string detail);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "request {Id}: its decision could not be remembered for feedback ({Detail})")]
    public static partial void DecisionNotRemembered(ILogger logger, string id, string detail);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "request {Id} {Method} {Path} failed unexpectedly: {Detail}")]
    public static partial void UnexpectedFailure(ILogger logger, string id, string method, string path, string detail);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "stopping: no new connections; draining {Count} request(s) in flight for up to {Seconds:0.#} s")]
    public static partial void Draining(ILogger logger, int count, double seconds);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "the limit store (Redis) failed: {Detail}; key limits are {Mode} until it is back (redis_failure)")]
    public static partial void LimitStoreFailed(ILogger logger, string detail, string mode);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "key '{Key}' refused by its {Limit} limit (429)")]
    public static partial void KeyRefused(ILogger logger, string key, string limit);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "router artifact swapped: now serving {Sha} for new requests")]
    public static partial void ArtifactSwapped(ILogger logger, string sha);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "{Source} was refused, the gateway keeps {Sha}: {Problem}")]
    public static partial void ArtifactRefused(ILogger logger, string source, string? sha, string problem);

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "feedback for {Id} was applied but not logged: {Detail}")]
    public static partial void FeedbackNotLogged(ILogger logger, string id, string detail);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "feedback for {Id} could not be shared (Redis: {Detail}); applied on this replica only")]
    public static partial void FeedbackNotShared(ILogger logger, string id, string detail);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "ignored a malformed rating {EntryId} in the stream {Stream}")]
    public static partial void MalformedFeedbackEntry(ILogger logger, string entryId, string stream);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning, Message = "replayed {Count} logged rating(s) into the router {Sha}; left out {Unreadable} line(s) without a time or unreadable and {Old} older than twenty half-lives")]
    public static partial void FeedbackReplayed(ILogger logger, int count, string? sha, int unreadable, int old);

    [LoggerMessage(EventId = 35, Level = LogLevel.Warning, Message = "the feedback log could not be replayed ({Detail}); live evidence starts afresh")]
    public static partial void FeedbackReplayFailed(ILogger logger, string detail);

    [LoggerMessage(EventId = 36, Level = LogLevel.Warning, Message = "live feedback says {Model} changed in cluster {Cluster} of router {Sha}: its calibration there is set aside (answers well below the calibrated accuracy) and comes back with feedback.half_life_hours")]
    public static partial void ModelChanged(ILogger logger, string model, int cluster, string? sha);

    [LoggerMessage(EventId = 37, Level = LogLevel.Warning, Message = "live feedback says {Model} changed as a whole (router {Sha}): its calibrated accuracy is scaled by {Scale:F2} everywhere, learnt from every later rating, and comes back with feedback.half_life_hours")]
    public static partial void ModelChangedEverywhere(ILogger logger, string model, double scale, string? sha);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information, Message = "feedback comment on {Id}: {Comment}")]
    public static partial void FeedbackComment(ILogger logger, string id, string comment);
}
