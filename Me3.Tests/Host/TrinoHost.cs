using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Streams;
using Me3.Streams.Dsl;
using Me3.Streams.Settings;
using Me3.Tests.Support;

namespace Me3.Tests.Host;

/// <summary>
/// Me3.Host over a small lake with hand-counted answers, its ingestion off (the lake is written before it starts):
/// purchases — needle 3 (alice 2, bob 1), katana 2 (bob, carol), longsword 1 (alice); guild joins — dave, erin.
/// User agents: iOS 4, Android 3, other 1.
/// </summary>
public sealed class TrinoHost : IDisposable
{
    public static readonly string[] Events =
    [
        Purchase("alice", "needle", "ME3_ios/1.0", "2026-11-21T10:00:00.123Z"),
        Purchase("alice", "needle", "ME3_ios/1.0", "2026-11-21T10:00:01.000Z"),
        Purchase("bob", "needle", "ME3_android/2.0", "2026-11-21T10:00:02.000Z"),
        Purchase("bob", "katana", "ME3_android/2.0", "2026-11-21T10:00:03.000Z"),
        Purchase("carol", "katana", "ME3_ios/1.1", "2026-11-22T10:00:04.000Z"),
        Purchase("alice", "longsword", "curl/8.0", "2026-11-22T10:00:05.000Z"),
        """{"event_type":"join_guild","user_name":"dave","guild_name":"owls","User-Agent":"ME3_android/2.0","timestamp":"2026-11-21T11:00:00Z"}""",
        """{"event_type":"join_guild","user_name":"erin","guild_name":"owls","User-Agent":"ME3_ios/1.0","timestamp":"2026-11-21T12:00:00Z"}""",
    ];

    /// <summary>The host specs share one collection: each starts hosts (and processes), which must not all run at once
    /// on a small machine.</summary>
    public const string Collection = "Trino host";

    private readonly bool _ownsLake;

    public TrinoHost(Dictionary<string, string?>? settings, TempLake? lake = null)
    {
        _ownsLake = lake is null;
        Temp = lake ?? Landed();
        var all = new Dictionary<string, string?> { ["Me3:Ingest:Enabled"] = "false" };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        Factory = new HostFactory(all, Temp);
    }

    public TempLake Temp { get; }

    public HostFactory Factory { get; }

    public static string Purchase(string user, string sword, string agent, string timestamp) =>
        $$"""{"event_type":"purchase_sword","user_name":"{{user}}","sword_name":"{{sword}}","User-Agent":"{{agent}}","timestamp":"{{timestamp}}"}""";

    /// <summary>A temporary lake with <see cref="Events"/> landed.</summary>
    public static TempLake Landed()
    {
        var temp = new TempLake();
        var file = temp.WriteLines("events.jsonl", Events);
        using var system = ActorSystem.Create("trino-host-lake");
        Me3Source.JsonLines(file).Via(Me3Flow.Ingest(new LakeSettings(temp.Lake))).RunWith(Me3Sink.Summary(), system.Materializer())
            .GetAwaiter().GetResult();
        return temp;
    }

    public void Dispose()
    {
        Factory.Dispose();
        if (_ownsLake)
        {
            Temp.Dispose();
        }
    }
}

/// <summary>One <see cref="TrinoHost"/> with default settings, shared by a spec class.</summary>
public sealed class SharedTrinoHost : IDisposable
{
    public TrinoHost Host { get; } = new(null);

    public void Dispose() => Host.Dispose();
}

/// <summary>A protocol client written by hand, sending exactly the headers a real client sends.</summary>
public static class RawTrino
{
    /// <summary>What the Trino CLI (StatementClientV1) sends on its POST.</summary>
    public static readonly Dictionary<string, string> TrinoCli = new()
    {
        ["User-Agent"] = "StatementClientV1/476",
        ["X-Trino-User"] = "alice",
        ["X-Trino-Source"] = "trino-cli",
        ["X-Trino-Catalog"] = "hive",
        ["X-Trino-Schema"] = "default",
        ["X-Trino-Time-Zone"] = "UTC",
        ["X-Trino-Language"] = "en-US",
        ["X-Trino-Client-Capabilities"] = "PATH,PARAMETRIC_DATETIME,SESSION_AUTHORIZATION",
        ["X-Trino-Transaction-Id"] = "NONE",
    };

    /// <summary>What pyhive's <c>presto</c> cursor sends on its POST (the reference notebook's <c>presto://host:port/hive</c>).</summary>
    public static readonly Dictionary<string, string> Pyhive = new()
    {
        ["User-Agent"] = "python-requests/2.28.1",
        ["Accept-Encoding"] = "gzip, deflate",
        ["X-Presto-Catalog"] = "hive",
        ["X-Presto-Schema"] = "default",
        ["X-Presto-Source"] = "pyhive",
        ["X-Presto-User"] = "notebook",
    };

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(HttpClient client, string sql, IReadOnlyDictionary<string, string> headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/statement") { Content = new StringContent(sql, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await client.SendAsync(request);
        return (response, await BodyAsync(response));
    }

    /// <summary>GETs each nextUri with no protocol headers (as pyhive and the Trino clients do) until there is none.</summary>
    public static async Task<List<(HttpResponseMessage Response, JsonElement Body)>> FollowAsync(HttpClient client, JsonElement first)
    {
        var pages = new List<(HttpResponseMessage, JsonElement)>();
        var next = first;
        while (next.TryGetProperty("nextUri", out var uri))
        {
            var response = await client.GetAsync(new Uri(uri.GetString()!));
            next = await BodyAsync(response);
            pages.Add((response, next));
        }

        return pages;
    }

    /// <summary>Runs a statement the pyhive way and returns the columns and rows, or the error.</summary>
    public static async Task<(List<string> Columns, List<JsonElement[]> Rows, JsonElement? Error, string State)> RunAsync(
        HttpClient client, string sql, IReadOnlyDictionary<string, string>? headers = null)
    {
        var (response, first) = await PostAsync(client, sql, headers ?? Pyhive);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST answered {(int)response.StatusCode}: {first}");
        }

        var columns = new List<string>();
        var rows = new List<JsonElement[]>();
        JsonElement? error = null;
        var state = "";
        foreach (var (page, body) in new[] { (response, first) }.Concat(await FollowAsync(client, first)))
        {
            if (!page.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"GET answered {(int)page.StatusCode}");
            }

            if (body.TryGetProperty("columns", out var cs))
            {
                columns = [.. cs.EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];
            }

            if (body.TryGetProperty("data", out var data))
            {
                if (columns.Count == 0)
                {
                    throw new InvalidOperationException("data before columns: pyhive asserts on this");
                }

                rows.AddRange(data.EnumerateArray().Select(r => r.EnumerateArray().ToArray()));
            }

            if (body.TryGetProperty("error", out var e))
            {
                error = e;
            }

            state = body.GetProperty("stats").GetProperty("state").GetString()!;
        }

        return (columns, rows, error, state);
    }

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return response.Content.Headers.ContentType?.MediaType == "application/json" && text.Length > 0
            ? JsonDocument.Parse(text).RootElement.Clone()
            : JsonSerializer.SerializeToElement(text);
    }
}
