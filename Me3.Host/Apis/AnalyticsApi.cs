using Me3.Host.Analytics;
using Me3.Host.Configuration;
using Microsoft.Extensions.Options;

namespace Me3.Host.Apis;

/// <summary>
/// The analytics surface: everything that reads the lake (the answers, SQL over HTTP, the dashboard). Read-only and
/// confined to the lake by the engine; mapped only when <c>Me3:Analytics:Enabled</c> is on (by default: only with the
/// embedded development broker), so that the lake is not readable by whoever can reach the game API.
/// </summary>
public static class AnalyticsApi
{
    /// <summary>Maps the analytics endpoints when enabled.</summary>
    /// <param name="app">The application.</param>
    /// <returns>The analytics route group, or null when the surface is off.</returns>
    public static RouteGroupBuilder? MapAnalyticsApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Configuration.AnalyticsEnabled())
        {
            return null;
        }

        var options = app.Services.GetRequiredService<IOptions<Me3Options>>().Value.Analytics;
        var group = app.MapGroup("").RequireAnalyticsAccess(options);
        group.MapAnswersApi();
        group.MapTrinoApi();
        group.MapDashboardApi();
        AnalyticsAccess.WarnWhenExposed(app);
        return group;
    }
}
