using Me3.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace Me3.Tests.Host;

/// <summary>Me3.Host in memory, on its embedded Kafka, landing into a temporary lake.</summary>
public sealed class HostFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsLake;

    /// <param name="settings">Configuration overrides.</param>
    /// <param name="lake">A lake to use and keep after the host is gone; by default a temporary one it deletes.</param>
    public HostFactory(Dictionary<string, string?>? settings, TempLake? lake = null)
    {
        _ownsLake = lake is null;
        Temp = lake ?? new TempLake();
        _settings = new Dictionary<string, string?>
        {
            ["Me3:Lake:Path"] = Temp.Lake,
            ["Me3:Kafka:BootstrapServers"] = "",
            ["Me3:Ingest:BatchSeconds"] = "0.3",
            ["Me3:Api:PublishTimeoutSeconds"] = "2",
        };
        foreach (var (key, value) in settings ?? [])
        {
            _settings[key] = value;
        }
    }

    public TempLake Temp { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(_settings));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsLake)
        {
            Temp.Dispose();
        }
    }
}

/// <summary>One host shared by a spec class.</summary>
public sealed class SharedHost : IDisposable
{
    public HostFactory Factory { get; } = new(null);

    public void Dispose() => Factory.Dispose();
}
