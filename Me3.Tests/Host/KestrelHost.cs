using System.Net;
using Me3.Host;
using Me3.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Me3.Tests.Host;

/// <summary>
/// Me3.Host as the demo runs it (<see cref="Me3HostApplication.Build"/>, its embedded broker) but on a real Kestrel
/// listener at 127.0.0.1 and a port the system picks, so that a browser can open it; landing into a temporary lake,
/// on a topic of its own (the library's instruments are per process, labelled by topic).
/// </summary>
public sealed class KestrelHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempLake _lake;

    private KestrelHost(WebApplication app, TempLake lake, string url)
    {
        _app = app;
        _lake = lake;
        Url = url;
        Client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Where it listens, without a trailing slash: <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; }

    public HttpClient Client { get; }

    public string Topic => _app.Services.GetRequiredService<Me3.Host.Publishing.KafkaConnection>().Topic;

    /// <summary>Starts the host and waits until it is ready (its ingestion owns the embedded topic's partitions).</summary>
    public static async Task<KestrelHost> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var lake = new TempLake();
        var all = new Dictionary<string, string?>
        {
            ["Me3:Lake:Path"] = lake.Lake,
            ["Me3:Kafka:BootstrapServers"] = "",
            ["Me3:Kafka:Topic"] = "events-" + Guid.NewGuid().ToString("N")[..8],
            ["Me3:Ingest:BatchSeconds"] = "0.3",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var app = Me3HostApplication.Build([], all, builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var host = new KestrelHost(app, lake, url.TrimEnd('/'));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await host.Client.GetAsync("/readyz")).StatusCode != HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Me3.Host did not become ready within 60 s.");
            }

            await Task.Delay(100);
        }

        return host;
    }

    /// <summary>Buys a sword through the game API, as a player on <paramref name="userAgent"/>.</summary>
    public Task PurchaseAsync(string user, string sword, string userAgent) =>
        SendAsync($"/purchase_a_sword?user_name={user}&sword_name={sword}", userAgent);

    /// <summary>Joins a guild through the game API.</summary>
    public Task JoinAsync(string user, string guild, string userAgent) =>
        SendAsync($"/join_guild?user_name={user}&guild_name={guild}", userAgent);

    /// <summary>Any other request of the game API (an <c>other_events</c> row).</summary>
    public Task DefaultAsync(string userAgent) => SendAsync("/", userAgent);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _lake.Dispose();
    }

    private async Task SendAsync(string path, string userAgent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.UserAgent.ParseAdd(userAgent);
        using var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }
}
