using System.Net;
using Avengers.Server.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Avengers.Server.Gateway;

/// <summary>
/// The HTTP stack of one backend, composed from Polly strategies (outermost first): retry with
/// exponential backoff and jitter that honours <c>Retry-After</c>, a circuit breaker, and a per-attempt
/// timeout. Failures that survive it make the ensemble fall back to the next-ranked model.
/// </summary>
public static class BackendHttp
{
    /// <param name="circuit">Observes the circuit breaker's state (for readiness and the circuit metric).</param>
    public static HttpClient Create(BackendConfig backend, TimeProvider? time = null, CircuitBreakerStateProvider? circuit = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time ?? TimeProvider.System };
        if (backend.Retries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = backend.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(backend.RetryDelayMilliseconds),
                ShouldRetryAfterHeader = true,
                MaxDelay = TimeSpan.FromSeconds(backend.TimeoutSeconds),
            });
        }
        ResiliencePipeline<HttpResponseMessage> pipeline = builder
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = backend.BreakerFailureRatio,
                MinimumThroughput = backend.BreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(backend.BreakSeconds),
                StateProvider = circuit,
            })
            .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = TimeSpan.FromSeconds(backend.TimeoutSeconds) })
            .Build();
        // Inside the pipeline: an HTML page for a 200 is a failure to retry and count; streams must end with [DONE] and not stall.
        var guard = new EventStreamGuard(TimeSpan.FromSeconds(backend.TimeoutSeconds)) { InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) } };
        var handler = new ResilienceHandler(pipeline) { InnerHandler = guard };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>True for the exceptions the pipeline raises when it gives up (open circuit, timeout).</summary>
    public static bool IsResilienceFailure(Exception ex) => ex is BrokenCircuitException or TimeoutRejectedException;
}
