using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Avengers.Server.OpenAI;

/// <summary>
/// Kestrel answers a request it cannot parse (a malformed request line or header: 400; headers too slow: 408; too
/// large: 431; ...) itself, before any middleware, with an empty body. This connection middleware gives those
/// answers OpenAI's error body, so that every error a client sees has one shape. It watches only the start of each
/// block Kestrel writes: a <c>4xx</c>/<c>5xx</c> status line whose complete header block says
/// <c>Content-Length: 0</c> and <c>Connection: close</c> (Kestrel's own error answers, never a streamed body).
/// </summary>
public static class ConnectionErrorBodies
{
    /// <summary>Adds the middleware to an endpoint: <c>kestrel.ConfigureEndpointDefaults(l => l.UseOpenAIErrorBodies())</c>.</summary>
    public static ListenOptions UseOpenAIErrorBodies(this ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Use(next => async connection =>
        {
            IDuplexPipe transport = connection.Transport;
            connection.Transport = new Pipe(transport.Input, new ErrorBodyWriter(transport.Output));
            try { await next(connection).ConfigureAwait(false); }
            finally { connection.Transport = transport; }
        });
        return listen;
    }

    private sealed record Pipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private static ReadOnlySpan<byte> StatusLinePrefix => "HTTP/1.1 "u8;
    private static ReadOnlySpan<byte> EmptyBody => "\r\nContent-Length: 0\r\n"u8;
    private static ReadOnlySpan<byte> Closing => "\r\nConnection: close\r\n"u8;
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    /// <summary>The replacement for a bodiless error answer, or null when <paramref name="written"/> is anything else.</summary>
    internal static byte[]? Rewrite(ReadOnlySpan<byte> written)
    {
        if (written.Length < StatusLinePrefix.Length + 3 || !written.StartsWith(StatusLinePrefix)) return null;
        ReadOnlySpan<byte> code = written.Slice(StatusLinePrefix.Length, 3);
        if (code[0] is not ((byte)'4' or (byte)'5') || !char.IsAsciiDigit((char)code[1]) || !char.IsAsciiDigit((char)code[2])) return null;
        if (!written.EndsWith(HeaderEnd) || written.IndexOf(HeaderEnd) != written.Length - HeaderEnd.Length) return null;
        int emptyBody = written.IndexOf(EmptyBody);
        if (emptyBody < 0 || written.IndexOf(Closing) < 0) return null;

        int status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            error = new { message = MessageFor(status), type = status >= 500 ? "api_error" : "invalid_request_error", param = (string?)null, code = CodeFor(status) },
        });
        var output = new ArrayBufferWriter<byte>(written.Length + body.Length + 64);
        output.Write(written[..emptyBody]);
        output.Write(Encoding.ASCII.GetBytes($"\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n"));
        output.Write(written[(emptyBody + EmptyBody.Length)..]);
        output.Write(body);
        return output.WrittenSpan.ToArray();
    }

    private static string MessageFor(int status) => status switch
    {
        400 => "the request is not valid HTTP/1.1 (malformed request line, header or framing)",
        408 => "the request did not arrive in time",
        413 => "the request is larger than the server accepts",
        414 => "the request target is too long",
        431 => "the request headers are too large",
        505 => "the HTTP version is not supported",
        _ => $"{status} {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status)}",
    };

    private static string CodeFor(int status) => status switch
    {
        408 => "request_timeout",
        413 => "request_too_large",
        414 or 431 => "request_too_large",
        _ => "bad_request",
    };

    /// <summary>Passes everything through; a block that is one of Kestrel's bodiless error answers is replaced.</summary>
    private sealed class ErrorBodyWriter(PipeWriter inner) : PipeWriter
    {
        private Memory<byte> _lent;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _lent = inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => (_lent = inner.GetMemory(sizeHint)).Span;

        public override void Advance(int bytes)
        {
            if (bytes >= 16 && bytes <= _lent.Length && Rewrite(_lent.Span[..bytes]) is byte[] replacement)
            {
                // The lent memory is not advanced: its bytes are dropped and the replacement written instead.
                inner.Write(replacement);
                return;
            }
            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;
        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
