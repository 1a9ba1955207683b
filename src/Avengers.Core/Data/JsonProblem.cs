using System.Text.Json;

namespace Avengers.Data;

/// <summary>What a JSON parser found wrong, in words a reader of the file can act on.</summary>
public static class JsonProblem
{
    /// <summary>
    /// "not valid JSON: ... (byte N of the line)": the parser's own sentence without its trailing
    /// <c>Path: $ | LineNumber: 0 | BytePositionInLine: 1.</c>, whose numbers count from zero.
    /// </summary>
    public static string Describe(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string message = exception.Message;
        foreach (string tail in (ReadOnlySpan<string>)[" Path:", " LineNumber:"])
            if (message.IndexOf(tail, StringComparison.Ordinal) is int at and > 0) message = message[..at];
        message = message.TrimEnd().TrimEnd('.');
        return exception.BytePositionInLine is long position ? $"not valid JSON: {message} (byte {position + 1} of the line)" : $"not valid JSON: {message}";
    }
}
