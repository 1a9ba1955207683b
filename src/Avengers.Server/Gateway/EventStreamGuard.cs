namespace Avengers.Server.Gateway;

/// <summary>
/// Makes a broken backend response fail loudly instead of passing as a short success. Inside the resilience
/// pipeline, so such failures are retried and counted by the circuit breaker: an HTML page answered with 200,
/// a JSON body cut short or malformed. A server-sent event stream must end with <c>data: [DONE]</c> and must
/// not stall longer than the backend's timeout between two reads (once a stream is under way, a failure can no
/// longer be retried transparently). The ensemble then falls back to the next model before the first
/// token, or ends the client's stream with an error event after it.
/// </summary>
/// <param name="streamEnded">Told how each event stream ended (null: [DONE]; else the failure), for the stream circuit breaker.</param>
internal sealed class EventStreamGuard(TimeSpan idleTimeout, Action<Exception?>? streamEnded = null) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) return response;
        string? mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is "text/html")
        {
            response.Dispose();
            throw new HttpRequestException(HttpRequestError.InvalidResponse, "the backend answered with an HTML page instead of JSON or an event stream");
        }
        if (mediaType != "text/event-stream")
        {
            // A JSON answer is read whole here, inside the pipeline: a connection closed mid-body or a malformed
            // body is then a failed attempt that the retry strategy repeats and the circuit breaker counts.
            byte[] body;
            try { body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false); }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                response.Dispose();
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "the connection closed before the response body ended", ex);
            }
            if (mediaType is null or "application/json")
            {
                try { using var _ = System.Text.Json.JsonDocument.Parse(body); }
                catch (System.Text.Json.JsonException)
                {
                    response.Dispose();
                    throw new HttpRequestException(HttpRequestError.InvalidResponse, "the backend answered 200 with a malformed JSON body");
                }
            }
            var buffered = new ByteArrayContent(body);
            foreach (KeyValuePair<string, IEnumerable<string>> header in response.Content.Headers) buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Content = buffered;
        }
        else
        {
            Stream inner = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var guarded = new StreamContent(new GuardedEventStream(inner, idleTimeout, streamEnded));
            foreach (KeyValuePair<string, IEnumerable<string>> header in response.Content.Headers) guarded.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Content = guarded;
        }
        return response;
    }

    /// <summary>Reads through, watching for <c>[DONE]</c>; the end of the stream without it, or a stall, is an error.</summary>
    private sealed class GuardedEventStream(Stream inner, TimeSpan idleTimeout, Action<Exception?>? ended) : Stream
    {
        private static readonly byte[] Done = "[DONE]"u8.ToArray();
        private int _matched;
        private bool _sawDone;
        private int _reported;

        /// <summary>Tells the stream breaker once; a read cancelled by the caller (client gone, deadline) says nothing about the backend.</summary>
        private void Report(Exception? failure)
        {
            if (ended is not null && Interlocked.Exchange(ref _reported, 1) == 0) ended(failure);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                idle.CancelAfter(idleTimeout);
                try { read = await inner.ReadAsync(buffer, idle.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    var stalled = new TimeoutException($"the event stream stalled for {idleTimeout.TotalSeconds:0.#} s");
                    Report(stalled);
                    throw stalled;
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    Report(ex); // the connection was cut mid-stream
                    throw;
                }
            }
            if (read == 0)
            {
                if (!_sawDone)
                {
                    var cut = new HttpRequestException(HttpRequestError.ResponseEnded, "the event stream ended without [DONE]");
                    Report(cut);
                    throw cut;
                }
                Report(null);
                return 0;
            }
            Watch(buffer.Span[..read]);
            if (_sawDone) Report(null); // a reader may stop at [DONE] without reading the end
            return read;
        }

        private void Watch(ReadOnlySpan<byte> bytes)
        {
            foreach (byte b in bytes)
            {
                if (_sawDone) return;
                _matched = b == Done[_matched] ? _matched + 1 : b == Done[0] ? 1 : 0;
                if (_matched == Done.Length) _sawDone = true;
            }
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
