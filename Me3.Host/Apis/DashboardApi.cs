using System.Security.Cryptography;
using System.Text;
using Me3.Host.Analytics;
using Me3.Host.Configuration;
using Me3.Host.Dashboard;
using Me3.Host.Reporting;
using Me3.Streams.Query;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Me3.Host.Apis;

/// <summary>
/// The live dashboard: <c>GET /dashboard</c> (the page, rendered here), <c>GET /dashboard/live</c> (its live parts,
/// which the page's script fetches every <c>Me3:Analytics:DashboardRefreshSeconds</c>), its script and style sheet
/// (embedded in this assembly: the page loads nothing from anywhere else, and its Content-Security-Policy says so), and
/// <c>GET /api/ingestion</c>, the pipeline's health as JSON.
/// </summary>
public static class DashboardApi
{
    // The page may load its own script, sheet and live parts, and nothing else.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Asset Script = Asset.Of(AnswersHtml.Resource("Me3.Host.Dashboard.dashboard.js"), "text/javascript; charset=utf-8");
    private static readonly Asset Sheet = Asset.Of(AnswersHtml.Css + "\n" + AnswersHtml.Resource("Me3.Host.Dashboard.dashboard.css"), "text/css; charset=utf-8");

    /// <summary>Maps the dashboard's endpoints.</summary>
    /// <param name="routes">The analytics routes.</param>
    /// <returns>The routes.</returns>
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet(DashboardPage.Path, async (HttpContext context, LakeAnswersService answers, IngestionMonitor monitor, IOptions<Me3Options> options) =>
            Html(context, DashboardPage.Render(await ViewAsync(answers, monitor, options, context.RequestAborted))));
        routes.MapGet(DashboardPage.Path + "/live", async (HttpContext context, LakeAnswersService answers, IngestionMonitor monitor, IOptions<Me3Options> options) =>
            Html(context, DashboardPage.RenderLive(await ViewAsync(answers, monitor, options, context.RequestAborted))));
        routes.MapGet(DashboardPage.Path + "/dashboard.js", () => Script.Result());
        routes.MapGet(DashboardPage.Path + "/dashboard.css", () => Sheet.Result());
        routes.MapGet("/api/ingestion", (IngestionMonitor monitor) => TypedResults.Ok(monitor.Current));
        return routes;
    }

    private static async Task<DashboardView> ViewAsync(LakeAnswersService answers, IngestionMonitor monitor, IOptions<Me3Options> options, CancellationToken cancellationToken)
    {
        var health = monitor.Current;
        var refresh = options.Value.Analytics.DashboardRefreshSeconds;
        try
        {
            return new DashboardView(await answers.GetAsync(cancellationToken), health, refresh);
        }
        catch (QueryException e)
        {
            return new DashboardView(null, health.WithUnreadableLake(e.Message), refresh);
        }
    }

    private static ContentHttpResult Html(HttpContext context, string html)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    /// <summary>A file of the page, revalidated by its hash (a new build's script is fetched at once).</summary>
    private sealed record Asset(byte[] Bytes, string ContentType, EntityTagHeaderValue Tag)
    {
        public static Asset Of(string text, string contentType)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            return new Asset(bytes, contentType, new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\""));
        }

        public FileContentHttpResult Result() => TypedResults.Bytes(Bytes, ContentType, entityTag: Tag);
    }
}
