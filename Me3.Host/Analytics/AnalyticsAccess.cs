using System.Net;
using System.Security.Cryptography;
using System.Text;
using Me3.Host.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Me3.Host.Analytics;

/// <summary>
/// Who reaches the analytics surface: only on its own listener when <c>Me3:Analytics:Urls</c> is set, and only with
/// the configured credentials (HTTP basic <c>Me3:Analytics:User</c>/<c>Password</c>, or bearer <c>Me3:Analytics:Token</c>)
/// when any are set. At start, a warning when the surface listens beyond loopback without authentication (the lake
/// would be readable by anyone who reaches the port), or sends credentials in clear text.
/// </summary>
public static class AnalyticsAccess
{
    private const string Realm = "Me3 analytics";

    /// <summary>Adds the analytics listener (<c>Me3:Analytics:Urls</c>) to the server's addresses, when the surface is on.</summary>
    /// <param name="builder">The application builder.</param>
    /// <returns>The builder.</returns>
    public static WebApplicationBuilder AddAnalyticsListener(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var urls = builder.Configuration[$"{Me3Options.Section}:Analytics:Urls"];
        if (string.IsNullOrWhiteSpace(urls) || !builder.Configuration.AnalyticsEnabled() || !TryParseListener(urls, out var listener))
        {
            return builder;
        }

        var current = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey);
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, $"{(string.IsNullOrWhiteSpace(current) ? "http://localhost:5000" : current)};{listener.GetLeftPart(UriPartial.Authority)}");
        return builder;
    }

    /// <summary>Puts the analytics routes behind their listener and credentials.</summary>
    /// <param name="group">The analytics routes.</param>
    /// <param name="options">The settings.</param>
    /// <returns>The routes.</returns>
    public static RouteGroupBuilder RequireAnalyticsAccess(this RouteGroupBuilder group, AnalyticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(options);
        int? port = options.Urls is { } urls && TryParseListener(urls, out var listener) ? listener.Port : null;
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (port is { } only && http.Connection.LocalPort != only)
            {
                return TypedResults.NotFound();
            }

            if (options.RequiresAuthentication && !IsAuthenticated(http.Request, options))
            {
                var schemes = new List<string>();
                if (!string.IsNullOrEmpty(options.Password))
                {
                    schemes.Add($"Basic realm=\"{Realm}\", charset=\"UTF-8\"");
                }

                if (!string.IsNullOrEmpty(options.Token))
                {
                    schemes.Add($"Bearer realm=\"{Realm}\"");
                }

                http.Response.Headers.WWWAuthenticate = schemes.ToArray();
                return TypedResults.Unauthorized();
            }

            return await next(context);
        });
        return group;
    }

    /// <summary>Logs, once the server listens, whether the surface faces a network without authentication.</summary>
    /// <param name="app">The application.</param>
    public static void WarnWhenExposed(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var options = app.Services.GetRequiredService<IOptions<Me3Options>>().Value.Analytics;
            var addresses = options.Urls is { } urls && TryParseListener(urls, out var listener)
                ? [listener.GetLeftPart(UriPartial.Authority)]
                : app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Me3.Analytics");
            foreach (var warning in Warnings(addresses, options))
            {
#pragma warning disable CA1848, CA2254 // one message at start: no need for a cached delegate; the text is built from settings
                logger.LogWarning(warning);
#pragma warning restore CA1848, CA2254
            }
        });
    }

    /// <summary>The start-up warnings for a surface on these addresses with these settings.</summary>
    /// <param name="addresses">Where the surface listens.</param>
    /// <param name="options">The settings.</param>
    /// <returns>The warnings; none when it is safe.</returns>
    public static IReadOnlyList<string> Warnings(IEnumerable<string> addresses, AnalyticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(options);
        var exposed = addresses.Where(IsBeyondLoopback).ToArray();
        if (exposed.Length == 0)
        {
            return [];
        }

        if (!options.RequiresAuthentication)
        {
            return
            [
                $"The analytics surface (SQL over the lake at /v1/statement, /api/answers) listens on {string.Join(", ", exposed)} WITHOUT AUTHENTICATION: " +
                "anyone who reaches it can read the lake. Set Me3:Analytics:User and Me3:Analytics:Password (or Me3:Analytics:Token), " +
                "move it to a loopback listener with Me3:Analytics:Urls, or switch it off with Me3:Analytics:Enabled=false.",
            ];
        }

        var plain = exposed.Where(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)).ToArray();
        return plain.Length == 0
            ? []
            : [$"The analytics surface's credentials travel in clear text on {string.Join(", ", plain)}: serve it over HTTPS, or behind a TLS proxy."];
    }

    /// <summary>Whether a listening address accepts connections from other machines.</summary>
    /// <param name="address">Such as <c>http://0.0.0.0:8080</c>, <c>http://[::]:80</c>, <c>http://+:80</c>, <c>http://localhost:5000</c>.</param>
    /// <returns>False only for loopback addresses.</returns>
    public static bool IsBeyondLoopback(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var host = address.Split("://", 2)[^1].Split('/')[0];
        host = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return !IPAddress.TryParse(host, out var ip) || !IPAddress.IsLoopback(ip);
    }

    /// <summary>Parses <c>Me3:Analytics:Urls</c>: one absolute http(s) address with an explicit port.</summary>
    /// <param name="urls">The setting.</param>
    /// <param name="listener">The address.</param>
    /// <returns>Whether it is one.</returns>
    public static bool TryParseListener(string urls, out Uri listener)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var text = urls.Trim().Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal);
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !text.Contains(';', StringComparison.Ordinal)
            && uri.Authority.Contains(':', StringComparison.Ordinal) && uri.AbsolutePath == "/")
        {
            listener = uri;
            return true;
        }

        listener = null!;
        return false;
    }

    private static bool IsAuthenticated(HttpRequest request, AnalyticsOptions options)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(options.Password))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                return SameSecret(decoded, $"{options.User}:{options.Password}");
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(options.Token)
            && SameSecret(header[7..].Trim(), options.Token);
    }

    /// <summary>Compares in constant time (of hashes, so that the length does not leak either).</summary>
    private static bool SameSecret(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
