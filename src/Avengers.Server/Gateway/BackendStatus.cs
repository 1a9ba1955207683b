using System.Text.Json.Serialization;

namespace Avengers.Server.Gateway;

/// <summary>What a readiness probe saw of one backend.</summary>
internal sealed record BackendStatus(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("reachable")] bool Reachable,
    [property: JsonPropertyName("http_status")] int? HttpStatus,
    [property: JsonPropertyName("latency_ms")] double LatencyMilliseconds,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("circuit_open")] bool CircuitOpen = false);
