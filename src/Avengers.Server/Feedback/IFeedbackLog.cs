using Avengers.Data;

namespace Avengers.Server.Feedback;

/// <summary>
/// Every applied rating as a benchmark record (the question, each rated model's outcome as its score, dataset
/// "feedback"), so that the next calibration can learn from it as labelled evidence: <c>calibrate --feedback FILE</c>.
/// </summary>
internal interface IFeedbackLog
{
    Task AppendAsync(BenchmarkRecord record, CancellationToken cancellationToken);
}
