namespace Avengers.Server.Feedback;

/// <summary>
/// Every applied rating as a line: a benchmark record (the question, each rated model's outcome as its score, dataset
/// "feedback"; see <see cref="FeedbackRecords.Line"/>), so that the next calibration can learn from it as labelled
/// evidence: <c>calibrate --feedback FILE</c>.
/// </summary>
internal interface IFeedbackLog
{
    /// <summary>Appends one rating's line.</summary>
    Task AppendAsync(string line, CancellationToken cancellationToken);

    /// <summary>Every logged line, oldest first (what a restarted gateway or a new artifact replays).</summary>
    Task<IReadOnlyList<string>> ReadAllAsync(CancellationToken cancellationToken);
}
