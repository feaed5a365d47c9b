using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Me3.Tests.Query.Trino;

/// <summary>A request the stub received.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A local HTTP server that replays a recorded Trino conversation (<c>Recorded/{name}.json</c>): each request must be
/// the next one recorded (method and path); it gets the recorded status, headers and body, with <c>{server}</c> replaced
/// by the stub's address. A request out of order gets 500 and is listed in <see cref="Unexpected"/>.
/// </summary>
public sealed class RecordedTrinoServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly JsonArray _exchanges;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly ConcurrentQueue<string> _unexpected = new();
    private int _next;

    private RecordedTrinoServer(WebApplication app, JsonArray exchanges)
    {
        _app = app;
        _exchanges = exchanges;
    }

    public Uri Address { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public IReadOnlyList<string> Unexpected => [.. _unexpected];

    /// <summary>Whether every recorded exchange was asked for.</summary>
    public bool Exhausted => Volatile.Read(ref _next) == _exchanges.Count;

    public static async Task<RecordedTrinoServer> StartAsync(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Query", "Trino", "Recorded", name + ".json");
        var exchanges = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsArray();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new RecordedTrinoServer(app, exchanges);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Address = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return server;
    }

    /// <summary>Waits until <paramref name="count"/> requests arrived (the client's cancellation is sent in the background).</summary>
    public async Task WaitForRequestsAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (_requests.Count < count)
        {
            await _arrived.WaitAsync(timeout.Token); // released once per request
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var line = $"{request.Method} {request.Path}{request.QueryString}";
        _requests.Enqueue(new RecordedRequest(request.Method, request.Path + request.QueryString,
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
        _arrived.Release();
        var index = Interlocked.Increment(ref _next) - 1;
        var exchange = index < _exchanges.Count ? _exchanges[index]!.AsObject() : null;
        if (exchange is null || exchange["request"]!.GetValue<string>() != line)
        {
            _unexpected.Enqueue($"#{index}: {line}, expected {exchange?["request"]?.GetValue<string>() ?? "nothing"}");
            context.Response.StatusCode = 500;
            return;
        }

        if (exchange["delayMs"] is { } delay)
        {
            try
            {
                await Task.Delay(delay.GetValue<int>(), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = exchange["status"]!.GetValue<int>();
        foreach (var (name, value) in exchange["headers"]?.AsObject() ?? [])
        {
            if (name != "Content-Type")
            {
                context.Response.Headers[name] = value!.GetValue<string>();
            }
        }

        if (exchange["body"] is { } recorded)
        {
            context.Response.ContentType = "application/json";
            var text = recorded.ToJsonString(new JsonSerializerOptions { WriteIndented = false })
                .Replace("{server}", Address.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal);
            await context.Response.WriteAsync(text);
        }
    }
}
