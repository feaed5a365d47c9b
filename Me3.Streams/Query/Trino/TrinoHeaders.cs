namespace Me3.Streams.Query.Trino;

/// <summary>
/// The protocol's header names in one family: <c>X-Trino-*</c> (Trino) or <c>X-Presto-*</c> (PrestoDB, and the
/// Presto clients Trino still answers, such as pyhive). A server answers in the family it was asked in.
/// </summary>
public sealed class TrinoHeaders
{
    private TrinoHeaders(string prefix)
    {
        Prefix = prefix;
        User = prefix + "User";
        Source = prefix + "Source";
        Catalog = prefix + "Catalog";
        Schema = prefix + "Schema";
        Session = prefix + "Session";
        TimeZone = prefix + "Time-Zone";
        ClientCapabilities = prefix + "Client-Capabilities";
        SetCatalog = prefix + "Set-Catalog";
        SetSchema = prefix + "Set-Schema";
        SetSession = prefix + "Set-Session";
        ClearSession = prefix + "Clear-Session";
    }

    /// <summary><c>X-Trino-*</c>.</summary>
    public static TrinoHeaders Trino { get; } = new("X-Trino-");

    /// <summary><c>X-Presto-*</c>.</summary>
    public static TrinoHeaders Presto { get; } = new("X-Presto-");

    /// <summary>The family's prefix, <c>X-Trino-</c> or <c>X-Presto-</c>.</summary>
    public string Prefix { get; }

    /// <summary>The user running the query (request).</summary>
    public string User { get; }

    /// <summary>The client's name (request).</summary>
    public string Source { get; }

    /// <summary>The session's catalog (request).</summary>
    public string Catalog { get; }

    /// <summary>The session's schema (request).</summary>
    public string Schema { get; }

    /// <summary>Session properties, <c>name=value</c> with URL-encoded values, comma-separated (request).</summary>
    public string Session { get; }

    /// <summary>The session's time zone (request).</summary>
    public string TimeZone { get; }

    /// <summary>What the client understands, such as <c>PARAMETRIC_DATETIME</c> (request).</summary>
    public string ClientCapabilities { get; }

    /// <summary>The session's new catalog, after <c>USE</c> (response).</summary>
    public string SetCatalog { get; }

    /// <summary>The session's new schema, after <c>USE</c> (response).</summary>
    public string SetSchema { get; }

    /// <summary>A session property set by <c>SET SESSION</c> (response).</summary>
    public string SetSession { get; }

    /// <summary>A session property cleared by <c>RESET SESSION</c> (response).</summary>
    public string ClearSession { get; }
}
