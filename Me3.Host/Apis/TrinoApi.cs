using Me3.Host.Configuration;
using Me3.Streams.Query;
using Me3.Streams.Query.Trino;
using Me3.Streams.Query.Trino.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Me3.Host.Apis;

/// <summary>
/// The Trino/Presto client protocol over the embedded engine: <c>POST /v1/statement</c>, <c>GET</c> and <c>DELETE</c>
/// of the <c>nextUri</c>s it hands out, <c>GET /v1/info</c>. Answers in the header family it was asked in
/// (<c>X-Trino-*</c> or <c>X-Presto-*</c>). The protocol itself is <see cref="TrinoServer"/>'s; this maps it to HTTP.
/// </summary>
public static class TrinoApi
{
    /// <summary>The largest statement accepted, in bytes (the game API's body limit is far smaller).</summary>
    public const int MaxStatementBytes = 1 << 20;

    /// <summary>Adds the protocol server over the embedded engine, with the <c>Me3:Analytics</c> limits.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddTrinoProtocol(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var analytics = sp.GetRequiredService<IOptions<Me3Options>>().Value.Analytics;
            var settings = TrinoServerSettings.Default
                .WithLimits(TimeSpan.FromSeconds(analytics.QueryTimeoutSeconds), analytics.MaxRows, analytics.MaxQueries)
                .WithAbandonAfter(TimeSpan.FromSeconds(analytics.AbandonSeconds));
            return new TrinoServer(sp.GetRequiredService<IQueryEngine>(), sp.GetRequiredService<LakeCatalog>(), settings);
        });
        return services;
    }

    /// <summary>Maps the protocol's endpoints.</summary>
    /// <param name="routes">The analytics routes.</param>
    /// <returns>The routes.</returns>
    public static IEndpointRouteBuilder MapTrinoApi(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapPost("/v1/statement", SubmitAsync);
        routes.MapGet("/v1/statement/{stage:regex(^(queued|executing)$)}/{queryId}/{slug}/{token:long}", NextAsync);
        routes.MapDelete("/v1/statement/{stage:regex(^(queued|executing)$)}/{queryId}/{slug}/{token:long}", CancelAsync);
        routes.MapGet("/v1/info", (TrinoServer server, HttpContext http) => SendAsync(http, server.Info()));
        routes.MapGet("/v1/info/state", () => TypedResults.Text("\"ACTIVE\"", "application/json"));
        return routes;
    }

    private static async Task SubmitAsync(HttpContext http, TrinoServer server)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxStatementBytes;
        }

        string sql;
        try
        {
            using var reader = new StreamReader(http.Request.Body, System.Text.Encoding.UTF8);
            sql = await reader.ReadToEndAsync(http.RequestAborted);
        }
        catch (BadHttpRequestException e)
        {
            await SendAsync(http, new TrinoResponse(e.StatusCode, System.Text.Encoding.UTF8.GetBytes(e.Message), []));
            return;
        }

        if (string.IsNullOrWhiteSpace(sql))
        {
            await SendAsync(http, new TrinoResponse(400, "SQL statement is empty"u8.ToArray(), []));
            return;
        }

        var request = http.Request;
        var headers = request.Headers.Keys.Any(k => k.StartsWith(TrinoHeaders.Presto.Prefix, StringComparison.OrdinalIgnoreCase))
            ? TrinoHeaders.Presto
            : TrinoHeaders.Trino;
        var session = new TrinoSession(
            Header(request, headers.User) ?? "me3",
            Header(request, headers.Catalog),
            Header(request, headers.Schema),
            Header(request, headers.Source),
            headers);
        await SendAsync(http, server.Submit(sql, session, new Uri($"{request.Scheme}://{request.Host}{request.PathBase}/")));
    }

    private static async Task NextAsync(HttpContext http, TrinoServer server, string queryId, string slug, long token) =>
        await SendAsync(http, await server.NextAsync(queryId, slug, token, null, http.RequestAborted));

    private static async Task CancelAsync(HttpContext http, TrinoServer server, string queryId, string slug) =>
        await SendAsync(http, await server.CancelAsync(queryId, slug));

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && !string.IsNullOrWhiteSpace(values.ToString()) ? values.ToString().Trim() : null;

    private static async Task SendAsync(HttpContext http, TrinoResponse response)
    {
        var answer = http.Response;
        answer.StatusCode = response.StatusCode;
        foreach (var (name, value) in response.Headers)
        {
            answer.Headers.Append(name, value);
        }

        if (response.RetryAfterSeconds is { } seconds)
        {
            answer.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (response.Body.Length > 0)
        {
            answer.ContentType = response.ContentType;
            answer.ContentLength = response.Body.Length;
            await answer.Body.WriteAsync(response.Body, http.RequestAborted);
        }
    }
}
