using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Avengers.Server.Gateway;

/// <summary>
/// Readiness of the backends: <c>GET {base_url}/models</c> on each, in parallel, with a short timeout. It runs
/// outside the resilience pipeline on purpose: a probe must neither wait for retries nor trip a circuit
/// breaker. A backend is reachable when it answers without a server error (401 and 403 count as not
/// reachable: the gateway could not use it). Results are cached briefly so that frequent probes stay cheap.
/// </summary>
internal sealed class BackendProbe : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultCacheFor = TimeSpan.FromSeconds(5);

    private readonly IReadOnlyList<(string Name, Uri Models, string? Key)> _backends;
    private readonly HttpClient _http;
    private readonly TimeSpan _cacheFor;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, IReadOnlyList<BackendStatus> Statuses)? _last;
    private readonly Func<string, bool>? _circuitOpen;
    private readonly IReadOnlyDictionary<string, string>? _servedModel;

    /// <param name="circuitOpen">Whether a backend's circuit breaker is open: such a backend is not ready even if it answers the probe.</param>
    /// <param name="servedModel">The model id each backend is asked for: a backend whose <c>/models</c> list lacks it is misconfigured, not ready.</param>
    public BackendProbe(IEnumerable<(string Name, string BaseUrl, string? ApiKey)> backends, TimeSpan? timeout = null, TimeSpan? cacheFor = null, TimeProvider? time = null,
        Func<string, bool>? circuitOpen = null, IReadOnlyDictionary<string, string>? servedModel = null)
    {
        _circuitOpen = circuitOpen;
        _servedModel = servedModel;
        _backends = backends.Select(b => (b.Name, new Uri(b.BaseUrl.TrimEnd('/') + "/models"), b.ApiKey)).ToList();
        _http = new HttpClient { Timeout = timeout ?? DefaultTimeout };
        _cacheFor = cacheFor ?? DefaultCacheFor;
        _time = time ?? TimeProvider.System;
    }

    public async Task<IReadOnlyList<BackendStatus>> CheckAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_last is not var (at, cached) || _time.GetUtcNow() - at >= _cacheFor)
            {
                cached = await Task.WhenAll(_backends.Select(b => ProbeAsync(b.Name, b.Models, b.Key, cancellationToken))).ConfigureAwait(false);
                _last = (_time.GetUtcNow(), cached);
            }
            // The circuit state is read fresh: a backend whose circuit is open gets no traffic, so it is not ready.
            return _circuitOpen is null ? cached : cached.Select(s => _circuitOpen(s.Name)
                ? s with { Reachable = false, CircuitOpen = true, Error = s.Error ?? "circuit open (too many recent failures)" } : s).ToList();
        }
        finally { _gate.Release(); }
    }

    private async Task<BackendStatus> ProbeAsync(string name, Uri models, string? key, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, models);
            if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            bool unauthorized = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
            bool reachable = status < 500 && !unauthorized;
            if (reachable && response.IsSuccessStatusCode && _servedModel?.GetValueOrDefault(name) is string model
                && await ServedModelsAsync(response, cancellationToken).ConfigureAwait(false) is { } served && !served.Contains(model))
            {
                string listed = served.Count == 0 ? "none" : string.Join(", ", served.Order(StringComparer.Ordinal).Take(10));
                return new BackendStatus(name, false, status, Elapsed(), $"the backend does not serve model '{model}' (it lists: {listed}); check the backend's 'model'");
            }
            return new BackendStatus(name, reachable, status, Elapsed(), reachable ? null : unauthorized ? "the backend refused the gateway's API key" : $"server error {status}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new BackendStatus(name, false, null, Elapsed(), ex is TaskCanceledException ? $"no answer within {_http.Timeout.TotalSeconds:0.#} s" : HttpFailures.Describe(ex));
        }

        double Elapsed() => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2);
    }

    /// <summary>The ids of an OpenAI <c>/models</c> list (<c>{"data": [{"id": ...}]}</c>); null when the body is not one.</summary>
    private static async Task<HashSet<string>?> ServedModelsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using System.Text.Json.JsonDocument list = await System.Text.Json.JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (list.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object || !list.RootElement.TryGetProperty("data", out var data)
                || data.ValueKind != System.Text.Json.JsonValueKind.Array) return null;
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in data.EnumerateArray())
                if (entry.ValueKind == System.Text.Json.JsonValueKind.Object && entry.TryGetProperty("id", out var id) && id.ValueKind == System.Text.Json.JsonValueKind.String) ids.Add(id.GetString()!);
            return ids;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException or HttpRequestException) { return null; }
    }

    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }
}
