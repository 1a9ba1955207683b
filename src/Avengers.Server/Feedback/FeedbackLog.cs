using System.Text;
using System.Text.Json;
using Avengers.Answers;
using Avengers.Data;
using Avengers.Server.Fleet;
using StackExchange.Redis;

namespace Avengers.Server.Feedback;

/// <summary>
/// Every applied rating as a benchmark record (the question, each rated model's outcome as its score, dataset
/// "feedback"), so that the next calibration can learn from it as labelled evidence: <c>calibrate --feedback FILE</c>.
/// </summary>
public interface IFeedbackLog
{
    Task AppendAsync(BenchmarkRecord record, CancellationToken cancellationToken);
}

/// <summary>The log as a JSON Lines file, one line appended and flushed per rating.</summary>
public sealed class FileFeedbackLog(string path) : IFeedbackLog, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    public async Task AppendAsync(BenchmarkRecord record, CancellationToken cancellationToken)
    {
        string line = FeedbackRecords.Line(record);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally { _gate.Release(); }
    }
}

/// <summary>Fleet mode: the log as a Redis list under the prefix (the most recent million ratings).</summary>
public sealed class RedisFeedbackLog(RedisFleet fleet) : IFeedbackLog
{
    public const string Key = "feedback:log";
    public const long MaxEntries = 1_000_000;

    public async Task AppendAsync(BenchmarkRecord record, CancellationToken cancellationToken)
    {
        IDatabase redis = fleet.Connection.GetDatabase();
        await redis.ListRightPushAsync(fleet.Key(Key), FeedbackRecords.Line(record)).WaitAsync(fleet.Timeout, cancellationToken).ConfigureAwait(false);
        await redis.ListTrimAsync(fleet.Key(Key), -MaxEntries, -1).WaitAsync(fleet.Timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every logged line, oldest first (for <c>avengers feedback export</c>).</summary>
    public static async Task<IReadOnlyList<string>> ReadAllAsync(RedisFleet fleet)
        => [.. (await fleet.Connection.GetDatabase().ListRangeAsync(fleet.Key(Key)).ConfigureAwait(false)).Select(v => (string)v!)];
}

/// <summary>Ratings as benchmark records.</summary>
public static class FeedbackRecords
{
    /// <summary>The record of one applied rating: each rated model's outcome is its sample's score.</summary>
    public static BenchmarkRecord Of(RememberedDecision decision, IReadOnlyList<ModelOutcome> outcomes) => new()
    {
        Id = decision.Id,
        Dataset = "feedback",
        Query = decision.Query,
        AnswerType = AnswerTypes.TryParse(decision.AnswerType, out AnswerType type) ? type : AnswerType.Text,
        Outputs = outcomes.ToDictionary(o => o.Model, o => (IReadOnlyList<Sample>)[new Sample(Score: o.Outcome)], StringComparer.Ordinal),
    };

    public static string Line(BenchmarkRecord record)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            BenchmarkWriter.WriteRecord(writer, record);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
