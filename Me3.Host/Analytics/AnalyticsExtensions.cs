using Me3.Host.Apis;
using Me3.Host.Configuration;
using Me3.Host.Dashboard;
using Me3.Streams.Query;
using Me3.Streams.Query.DuckDb;
using Microsoft.Extensions.Options;

namespace Me3.Host.Analytics;

/// <summary>Registers the analytics surface's services: the lake catalog, the embedded engine, the answers, and the
/// dashboard's view of the ingestion.</summary>
public static class AnalyticsExtensions
{
    /// <summary>Adds the catalog, the locked-down embedded engine over <c>Me3:Lake:Path</c>, the answers service, the
    /// JSON of the analytics documents, and, when the surface is on, the dashboard's sampling of the ingestion's
    /// instruments and health checks.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration (whether the surface is on).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddMe3Analytics(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // Source-generated: the host also runs inside the CLI (demo), which has no reflection-based JSON.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AnalyticsJsonContext.Default));
        services.AddSingleton(sp => new LakeCatalog(sp.GetRequiredService<IOptions<Me3Options>>().Value.Lake.Path));
        services.AddSingleton<IQueryEngine>(sp => new DuckDbQueryEngine(
            sp.GetRequiredService<LakeCatalog>(),
            DuckDbSettings.Default.WithMaxConcurrentQueries(sp.GetRequiredService<IOptions<Me3Options>>().Value.Analytics.MaxConcurrentQueries)));
        services.AddSingleton<LakeAnswersService>();
        services.AddTrinoProtocol();
        services.AddSingleton<Me3MeterReader>();
        services.AddSingleton<IngestionMonitor>();
        if (configuration.AnalyticsEnabled())
        {
            // Registered before the ingestion, so that the reader counts from its first landing on.
            services.AddHostedService(sp => sp.GetRequiredService<IngestionMonitor>());
        }

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
