using System.Net;
using System.Net.Sockets;
using Avengers.Ensemble;
using Avengers.Server.Gateway;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Avengers.Tests.Server;

/// <summary>The gateway classifies its transport's failures; the core's ensemble reads only the classification.</summary>
public class HttpFailuresTests
{
    [Theory]
    [InlineData(HttpStatusCode.BadRequest, true, "HTTP 400 (bad request)")]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, true, "HTTP 413 (request too large)")]
    [InlineData(HttpStatusCode.UnprocessableEntity, true, "HTTP 422 (unprocessable request)")]
    [InlineData(HttpStatusCode.Unauthorized, false, "HTTP 401 (authentication)")]
    [InlineData(HttpStatusCode.NotFound, false, "HTTP 404 (not found)")]
    [InlineData(HttpStatusCode.TooManyRequests, false, "HTTP 429 (rate limited)")]
    [InlineData(HttpStatusCode.BadGateway, false, "HTTP 502 (server error)")]
    public void A_status_is_a_refusal_only_when_the_request_itself_was_refused(HttpStatusCode status, bool refused, string reason)
    {
        BackendException classified = HttpFailures.Classify(new HttpRequestException("sk-secret-echo body", null, status))!;
        Assert.Equal(refused, classified.Refused);
        Assert.Equal((int)status, classified.Status);
        Assert.Equal(reason, classified.Reason);
        Assert.Equal(reason, BackendFailures.Describe(classified)); // what the ensemble shows
        Assert.Equal(refused, BackendFailures.IsClientError(classified));
        Assert.Contains("sk-secret-echo", classified.Message); // the detail stays for the (redacted) log
    }

    [Fact]
    public void Transport_and_strategy_failures_get_a_class_and_cancellations_pass_unchanged()
    {
        Assert.Equal("connection failed", HttpFailures.Classify(new HttpRequestException("x", new SocketException()))!.Reason);
        Assert.Equal("circuit open (too many recent failures)", HttpFailures.Classify(new BrokenCircuitException())!.Reason);
        Assert.Equal("timed out", HttpFailures.Classify(new TimeoutRejectedException())!.Reason);
        Assert.Null(HttpFailures.Classify(new OperationCanceledException()));
        Assert.Null(HttpFailures.Classify(new InvalidDataException("not an event stream")));
        Assert.Equal("malformed or empty response", HttpFailures.Describe(new InvalidDataException("not an event stream")));
    }
}
