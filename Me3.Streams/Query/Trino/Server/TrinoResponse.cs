namespace Me3.Streams.Query.Trino.Server;

/// <summary>An HTTP answer of the protocol, for the host to send as is.</summary>
/// <param name="StatusCode">The HTTP status: 200 (with a query result, possibly failed), 204 (cancelled), 404 (no such
/// query), 410 (a page no longer kept), 503 (too many queries; retry after <see cref="RetryAfterSeconds"/>).</param>
/// <param name="Body">The body: JSON for 200, text otherwise; empty for 204.</param>
/// <param name="Headers">Extra headers (<c>X-Trino-Set-Catalog</c>…).</param>
/// <param name="RetryAfterSeconds">For 503: when to try again.</param>
public sealed record TrinoResponse(int StatusCode, ReadOnlyMemory<byte> Body, IReadOnlyList<KeyValuePair<string, string>> Headers, int? RetryAfterSeconds = null)
{
    /// <summary>The body's media type.</summary>
    public string ContentType => StatusCode == 200 ? "application/json" : "text/plain; charset=utf-8";

    internal static TrinoResponse Text(int status, string text, int? retryAfterSeconds = null) =>
        new(status, System.Text.Encoding.UTF8.GetBytes(text), [], retryAfterSeconds);
}
