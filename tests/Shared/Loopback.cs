using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Avengers.Tests;

/// <summary>A quiet web server on 127.0.0.1 at a free port, with the endpoints a test maps.</summary>
internal static class Loopback
{
    public static async Task<WebApplication> StartAsync(Action<WebApplication> map)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        WebApplication app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }
}
