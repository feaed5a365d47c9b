using Me3.Host.Apis;
using Me3.Host.Configuration;

namespace Me3.Host;

/// <summary>Builds the Me3.Host application: the game API, the hosted ingestion, operations and analytics endpoints.
/// Program.cs runs it; the demo command runs it in its own process with settings of its own.</summary>
public static class Me3HostApplication
{
    /// <summary>Builds the application.</summary>
    /// <param name="args">Command-line arguments (configuration overrides such as <c>--urls</c>).</param>
    /// <param name="settings">Configuration that overrides every other source; optional.</param>
    /// <param name="configure">Further changes to the builder (logging, say); optional.</param>
    /// <returns>The application, not yet started.</returns>
    public static WebApplication Build(string[] args, IEnumerable<KeyValuePair<string, string?>>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        configure?.Invoke(builder);
        builder.AddMe3();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (app.Configuration.GetValue("Me3:Api:Enabled", true))
        {
            app.MapGameApi();
        }

        app.MapOperationsApi();
        app.MapAnalyticsApi();
        return app;
    }
}
