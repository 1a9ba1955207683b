using Avengers.Server.Configuration;
using Polly;
using Polly.CircuitBreaker;

namespace Avengers.Server.Gateway;

/// <summary>Each backend's circuit breaker state, by backend name: for readiness and the circuit metric.</summary>
internal sealed class BackendCircuits
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CircuitBreakerStateProvider> _states = new(StringComparer.Ordinal);

    /// <summary>The state provider of a backend's breaker (one per backend, attached when its pipeline is built).</summary>
    public CircuitBreakerStateProvider For(string backend) => _states.GetOrAdd(backend, _ => new CircuitBreakerStateProvider());

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CircuitBreakerManualControl> _controls = new(StringComparer.Ordinal);

    /// <summary>The manual control of a backend's breaker: the stream breaker isolates the backend through it.</summary>
    public CircuitBreakerManualControl ControlFor(string backend) => _controls.GetOrAdd(backend, _ => new CircuitBreakerManualControl());

    /// <summary>
    /// A second Polly circuit breaker, with the backend's thresholds, fed with the outcome of every event stream
    /// (the HTTP pipeline saw a 200 and counted a success before the first token). When mid-stream failures open it,
    /// the backend's own breaker is isolated for the break duration, so the backend gets no traffic and readiness
    /// shows it; then it is released and the next stream's outcome decides (the half-open probe).
    /// </summary>
    /// <returns>What the stream guard calls when a stream ends: null for [DONE], else the failure.</returns>
    internal Action<Exception?> AddStreamBreaker(BackendConfig backend)
    {
        CircuitBreakerManualControl control = ControlFor(backend.Name!);
        TimeSpan breakDuration = TimeSpan.FromSeconds(backend.BreakSeconds);
        ResiliencePipeline streams = new ResiliencePipelineBuilder().AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = backend.BreakerFailureRatio,
            MinimumThroughput = backend.BreakerMinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = breakDuration,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(),
            OnOpened = async opened =>
            {
                await control.IsolateAsync().ConfigureAwait(false);
                Task release = Task.Delay(opened.BreakDuration).ContinueWith(_ => control.CloseAsync(), TaskScheduler.Default);
            },
        }).Build();
        return failure =>
        {
            try { streams.Execute(static f => { if (f is not null) throw f; }, failure); }
            catch (Exception) { } // the outcome is recorded (or the stream breaker is open): nothing to propagate
        };
    }

    /// <summary>True while the backend's circuit is open or isolated (it gets no traffic).</summary>
    public bool IsOpen(string backend)
        => _states.TryGetValue(backend, out CircuitBreakerStateProvider? state) && state.CircuitState is CircuitState.Open or CircuitState.Isolated;

    public IEnumerable<string> Backends => _states.Keys.Order(StringComparer.Ordinal);
}
