namespace Avengers.Server.Gateway;

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
