using Me3.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Me3.Tests.Host;

/// <summary>Me3.Host in memory, on its embedded Kafka, landing into a temporary lake.</summary>
public sealed class HostFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsLake;
    private readonly Action<IServiceCollection>? _services;

    /// <param name="settings">Configuration overrides.</param>
    /// <param name="lake">A lake to use and keep after the host is gone; by default a temporary one it deletes.</param>
    /// <param name="services">Replaces services of the host (its clock, say).</param>
    public HostFactory(Dictionary<string, string?>? settings, TempLake? lake = null, Action<IServiceCollection>? services = null)
    {
        _services = services;
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

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(_settings));
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

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
