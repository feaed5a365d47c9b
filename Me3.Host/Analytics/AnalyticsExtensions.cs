using Me3.Host.Apis;
using Me3.Host.Configuration;
using Me3.Streams.Query;
using Me3.Streams.Query.DuckDb;
using Microsoft.Extensions.Options;

namespace Me3.Host.Analytics;

/// <summary>Registers the analytics surface's services: the lake catalog, the embedded engine, the answers.</summary>
public static class AnalyticsExtensions
{
    /// <summary>Adds the catalog, the locked-down embedded engine over <c>Me3:Lake:Path</c>, and the answers service.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddMe3Analytics(this IServiceCollection services)
    {
        services.AddSingleton(sp => new LakeCatalog(sp.GetRequiredService<IOptions<Me3Options>>().Value.Lake.Path));
        services.AddSingleton<IQueryEngine>(sp => new DuckDbQueryEngine(
            sp.GetRequiredService<LakeCatalog>(),
            DuckDbSettings.Default.WithMaxConcurrentQueries(sp.GetRequiredService<IOptions<Me3Options>>().Value.Analytics.MaxConcurrentQueries)));
        services.AddSingleton<LakeAnswersService>();
        services.AddTrinoProtocol();
        return services;
    }

    /// <summary>Whether this host serves the analytics surface (<c>Me3:Analytics:Enabled</c>, or by default whether it
    /// runs on the embedded broker).</summary>
    /// <param name="configuration">The configuration.</param>
    /// <returns>Whether to map it.</returns>
    public static bool AnalyticsEnabled(this IConfiguration configuration)
    {
        var options = new Me3Options();
        configuration.GetSection(Me3Options.Section).Bind(options);
        return options.Analytics.IsEnabled(embeddedBroker: string.IsNullOrWhiteSpace(options.Kafka.BootstrapServers));
    }
}
