using System.Collections.Immutable;

namespace Me3.Streams.Query.Trino;

/// <summary>
/// Where a Trino (or Presto) coordinator is and how to talk to it. Immutable; change it with the <c>With*</c> methods.
/// Credentials are never sent over plain HTTP, except to a loopback address (as Trino's own clients do).
/// </summary>
public sealed record TrinoClientSettings
{
    /// <summary>Settings for a coordinator.</summary>
    /// <param name="server">The coordinator's address, such as <c>https://trino.example.com:8443</c>.</param>
    /// <exception cref="ArgumentException">Not an absolute http or https address.</exception>
    public TrinoClientSettings(Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (!server.IsAbsoluteUri || server.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"The Trino server '{server}' is not an http:// or https:// address.", nameof(server));
        }

        // Relative addresses (v1/statement) resolve under the server's path only when it ends with a slash.
        Server = server.AbsolutePath.EndsWith('/') ? server : new Uri(server.GetLeftPart(UriPartial.Path) + "/");
    }

    /// <summary>The coordinator's address.</summary>
    public Uri Server { get; init; }

    /// <summary>The user queries run as (<c>X-Trino-User</c>); the login name by default.</summary>
    public string User { get; init; } = string.IsNullOrWhiteSpace(Environment.UserName) ? "me3" : Environment.UserName;

    /// <summary>The client's name as the server logs it (<c>X-Trino-Source</c>).</summary>
    public string Source { get; init; } = "me3";

    /// <summary>The session's catalog, such as <c>hive</c>; none by default.</summary>
    public string? Catalog { get; init; }

    /// <summary>The session's schema, such as <c>default</c>; none by default.</summary>
    public string? Schema { get; init; }

    /// <summary>Session properties sent with every query (<c>X-Trino-Session</c>).</summary>
    public ImmutableDictionary<string, string> SessionProperties { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>The password for HTTP basic authentication as <see cref="User"/>; none by default.</summary>
    public string? Password { get; init; }

    /// <summary>A bearer token (OAuth 2.0 or JWT) sent as <c>Authorization: Bearer</c>; none by default.</summary>
    public string? AccessToken { get; init; }

    /// <summary>The header family: <see cref="TrinoHeaders.Trino"/>, or <see cref="TrinoHeaders.Presto"/> for PrestoDB.</summary>
    public TrinoHeaders Headers { get; init; } = TrinoHeaders.Trino;

    /// <summary>How many times a request answered 429, 502, 503 or 504 (or not answered) is tried again.</summary>
    public int MaxRetries { get; init; } = 8;

    /// <summary>The first wait before a retry when the server gives no <c>Retry-After</c>; doubled each time.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait before a retry, whatever the server's <c>Retry-After</c> says.</summary>
    public TimeSpan MaxRetryBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether credentials (password or token) are set.</summary>
    public bool HasCredentials => Password is not null || AccessToken is not null;

    /// <summary>Returns a copy that runs queries as another user.</summary>
    /// <param name="user">The user.</param>
    /// <returns>The new settings.</returns>
    public TrinoClientSettings WithUser(string user)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        return this with { User = user };
    }

    /// <summary>Returns a copy with another client name.</summary>
    /// <param name="source">The client's name.</param>
    /// <returns>The new settings.</returns>
    public TrinoClientSettings WithSource(string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        return this with { Source = source };
    }

    /// <summary>Returns a copy with a session catalog and schema.</summary>
    /// <param name="catalog">The catalog, or null for none.</param>
    /// <param name="schema">The schema, or null for none.</param>
    /// <returns>The new settings.</returns>
    public TrinoClientSettings WithCatalog(string? catalog, string? schema = null) => this with { Catalog = catalog, Schema = schema };

    /// <summary>Returns a copy with one more session property.</summary>
    /// <param name="name">The property, such as <c>query_max_run_time</c> or <c>hive.parquet_use_column_names</c>.</param>
    /// <param name="value">Its value.</param>
    /// <returns>The new settings.</returns>
    public TrinoClientSettings WithSessionProperty(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        return this with { SessionProperties = SessionProperties.SetItem(name, value) };
    }

    /// <summary>Returns a copy that authenticates with HTTP basic authentication.</summary>
    /// <param name="user">The user.</param>
    /// <param name="password">The password.</param>
    /// <returns>The new settings.</returns>
    public TrinoClientSettings WithBasicAuthentication(string user, string password)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        ArgumentNullException.ThrowIfNull(password);
        return this with { User = user, Password = password, AccessToken = null };
    }

    /// <summary>Returns a copy that authenticates with a bearer token.</summary>
    /// <param name="token">The token.</param>
    /// <returns>The new settings.</returns>
    public TrinoClientSettings WithAccessToken(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        return this with { AccessToken = token, Password = null };
    }

    /// <summary>Returns a copy that speaks the <c>X-Presto-*</c> header family (for PrestoDB).</summary>
    /// <returns>The new settings.</returns>
    public TrinoClientSettings WithPrestoHeaders() => this with { Headers = TrinoHeaders.Presto };

    /// <summary>Returns a copy with another retry policy.</summary>
    /// <param name="maxRetries">Retries of one request (0 or more).</param>
    /// <param name="backoff">The first wait when the server gives none (positive).</param>
    /// <param name="maxBackoff">The longest wait (at least <paramref name="backoff"/>).</param>
    /// <returns>The new settings.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public TrinoClientSettings WithRetries(int maxRetries, TimeSpan backoff, TimeSpan maxBackoff)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(backoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBackoff, backoff);
        return this with { MaxRetries = maxRetries, RetryBackoff = backoff, MaxRetryBackoff = maxBackoff };
    }

    /// <summary>Checks that credentials would go only over HTTPS or to this machine.</summary>
    /// <param name="address">Where a request goes.</param>
    /// <exception cref="QueryException">Credentials would go over plain HTTP to another machine.</exception>
    internal void RequireSafeTransport(Uri address)
    {
        if (HasCredentials && address.Scheme == Uri.UriSchemeHttp && !address.IsLoopback)
        {
            throw new QueryException(QueryErrors.PermissionDenied,
                $"Refusing to send credentials over plain HTTP to {address.GetLeftPart(UriPartial.Authority)}: use https://, or a loopback address.");
        }
    }
}
