using Avengers.Data;

namespace Avengers.Server.Feedback;

/// <summary>
/// Every applied rating as a benchmark record (the question, each rated model's outcome as its score, dataset
/// "feedback"), so that the next calibration can learn from it as labelled evidence: <c>calibrate --feedback FILE</c>.
/// </summary>
internal interface IFeedbackLog
{
    /// <summary>Appends one rating, with the time it was given (<c>rated_utc</c>, for replaying it with its age).</summary>
    Task AppendAsync(BenchmarkRecord record, DateTimeOffset ratedAt, CancellationToken cancellationToken);

    /// <summary>Every logged line, oldest first (what a restarted gateway or a new artifact replays).</summary>
    Task<IReadOnlyList<string>> ReadAllAsync(CancellationToken cancellationToken);
}
