using Avengers.Server.Configuration;

namespace Avengers.Server.Fleet;

/// <summary>A gateway key: its name (labels metrics, logs and counters), the secret, and its limits (null: none).</summary>
internal sealed record GatewayKey(string Name, string Secret, ApiKeyConfig? Limits);
