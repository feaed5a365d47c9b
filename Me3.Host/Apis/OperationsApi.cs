using System.Text;
using Me3.Host.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Me3.Host.Apis;

/// <summary><c>/healthz</c> (liveness), <c>/readyz</c> (readiness) and <c>/metrics</c> (Prometheus).</summary>
public static class OperationsApi
{
    /// <summary>Maps the operations endpoints.</summary>
    /// <param name="app">The routes.</param>
    /// <returns>The routes.</returns>
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks("/healthz", Options(Me3HealthChecks.Live, "ok"));
        app.MapHealthChecks("/readyz", Options(Me3HealthChecks.Ready, "ready"));
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private static HealthCheckOptions Options(string tag, string healthy) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = (context, report) =>
        {
            // Plain text: "ok", or one line per failing check saying why.
            context.Response.ContentType = "text/plain; charset=utf-8";
            var text = report.Status == HealthStatus.Healthy
                ? healthy
                : string.Join('\n', report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}"));
            return context.Response.WriteAsync(text, Encoding.UTF8);
        },
    };
}
