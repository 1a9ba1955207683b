using Avengers.Embedding;
using Avengers.Ensemble;
using Avengers.Server.Configuration;
using Microsoft.Extensions.Configuration;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Avengers.Server.Gateway;

/// <summary>
/// The gateway's services, in the way ASP.NET Core composes (as YARP's <c>AddReverseProxy</c>): the validated
/// configuration, the runtime (router artifact, one resilient client per backend, the ensemble) built once, its
/// meters. Pair with <see cref="GatewayEndpointRouteBuilderExtensions.MapAvengersGateway"/>.
/// </summary>
public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// The gateway's services: its configuration as options validated at start (<c>ValidateOnStart</c>; mapping the
    /// endpoints validates it too), one resilient named HttpClient per backend, the meters, and the runtime.
    /// </summary>
    /// <exception cref="GatewayConfigException">When the endpoints are mapped, if the configuration has problems (all listed);
    /// an <see cref="OptionsValidationException"/> with the same list when the host starts without mapping them.</exception>
    public static IServiceCollection AddAvengersGateway(this IServiceCollection services, GatewayConfig config, EmbeddingStack embedding, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(embedding);
        config = config.Normalized();
        environment ??= Environment.GetEnvironmentVariable;
        services.AddMetrics();
        var validation = new GatewayConfigValidation(embedding, environment);
        services.AddSingleton(validation);
        services.AddSingleton<IValidateOptions<GatewayConfig>>(validation);
        services.AddSingleton<IOptionsFactory<GatewayConfig>>(provider => new FixedOptionsFactory<GatewayConfig>(config, provider.GetServices<IValidateOptions<GatewayConfig>>()));
        services.AddOptions<GatewayConfig>().ValidateOnStart();
        var circuits = new BackendCircuits();
        services.AddAvengersBackends(config.Backends ?? [], circuits);
        services.AddSingleton(provider => new EnsembleMetrics(provider.GetRequiredService<IMeterFactory>()));
        services.AddSingleton(provider => new GatewayMetrics(provider.GetRequiredService<IMeterFactory>(), circuits,
            (config.Backends ?? []).OfType<BackendConfig>().Select(b => b.Name).OfType<string>().ToList()));
        services.AddSingleton(provider =>
        {
            GatewayConfig validated;
            try { validated = provider.GetRequiredService<IOptions<GatewayConfig>>().Value; }
            catch (OptionsValidationException ex) { throw new GatewayConfigException([.. ex.Failures]); }
            return GatewayRuntime.Create(validated, validation.Artifact!, embedding, provider.GetRequiredService<IHttpClientFactory>(), circuits, environment,
                provider.GetRequiredService<ILoggerFactory>(), provider.GetRequiredService<GatewayMetrics>(), provider.GetRequiredService<EnsembleMetrics>());
        });
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(EnsembleMetrics.MeterName, GatewayMetrics.MeterName, GatewayMetrics.BackendMeterName)
            .AddPrometheusExporter());
        return services;
    }

    /// <summary>
    /// The same, with the configuration bound from a section of the host's configuration (appsettings.json, environment
    /// variables, ...): the keys are the YAML file's (<c>router</c>, <c>backends:0:base_url</c>, ...).
    /// </summary>
    public static IServiceCollection AddAvengersGateway(this IServiceCollection services, IConfiguration section, EmbeddingStack embedding, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        var config = new GatewayConfig();
        section.Bind(config);
        return services.AddAvengersGateway(config, embedding, environment);
    }
}

/// <summary>Maps the gateway's endpoints (as YARP's <c>MapReverseProxy</c>) into a host's routing, under an optional prefix.</summary>
public static class GatewayEndpointRouteBuilderExtensions
{
    /// <summary>
    /// <c>/v1/chat/completions</c>, <c>/v1/models</c>, <c>/v1/route</c>, <c>/health</c>, <c>/health/live</c>,
    /// <c>/health/ready</c> and <c>/metrics</c>. The returned group takes the host's conventions
    /// (<c>.RequireAuthorization()</c>, rate limiting, ...).
    /// </summary>
    public static RouteGroupBuilder MapAvengersGateway(this IEndpointRouteBuilder endpoints, string prefix = "")
        => GatewayHost.Map(endpoints, prefix);
}
