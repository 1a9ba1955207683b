using Avengers.Embedding;
using Avengers.Routing;
using Microsoft.Extensions.Options;

namespace Avengers.Server.Configuration;

/// <summary>
/// The gateway's configuration as ASP.NET Core options: validated once, at start (<c>ValidateOnStart</c>), by the one
/// validation that <c>avengers config validate</c> also runs (<see cref="GatewayConfigLoader.Validate(GatewayConfig, Func{string, string?})"/>),
/// plus the check that the router was calibrated with the gateway's embedding model. The router artifact the
/// validation reads is kept for the runtime, so it is read once.
/// </summary>
internal sealed class GatewayConfigValidation(EmbeddingStack embedding, Func<string, string?> environment) : IValidateOptions<GatewayConfig>
{
    private readonly Lock _gate = new();
    private GatewayConfig? _validated;
    private ValidateOptionsResult? _result;

    /// <summary>The router artifact read by a successful validation.</summary>
    public RouterArtifact? Artifact { get; private set; }

    public ValidateOptionsResult Validate(string? name, GatewayConfig options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_gate)
        {
            // The options cache of IOptions and that of IOptionsMonitor (ValidateOnStart) each ask: validate once.
            if (ReferenceEquals(options, _validated) && _result is not null) return _result;
            var problems = GatewayConfigLoader.Validate(options, environment, out RouterArtifact? artifact).ToList();
            if (artifact is not null)
            {
                RouterManifest.EmbeddingInfo calibrated = artifact.Manifest.Embedding;
                if (calibrated.Dimension != embedding.Dimension)
                    problems.Add($"embedding: the router was calibrated with {calibrated.Model} ({calibrated.Dimension} dimensions), the gateway embeds with {embedding.ModelId} ({embedding.Dimension})");
                else if (calibrated.Model != embedding.ModelId)
                    problems.Add($"embedding: the router was calibrated with {calibrated.Model}, the gateway embeds with {embedding.ModelId}");
            }
            _validated = options;
            Artifact = problems.Count == 0 ? artifact : null;
            return _result = problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
