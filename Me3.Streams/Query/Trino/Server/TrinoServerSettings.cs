using System.Collections.Immutable;

namespace Me3.Streams.Query.Trino.Server;

/// <summary>How <see cref="TrinoServer"/> serves the lake. Immutable; change it with the <c>With*</c> methods.</summary>
public sealed record TrinoServerSettings
{
    /// <summary>Catalogs <c>hive</c> and <c>lake</c>, schema <c>default</c>, Trino's limits scaled to one machine.</summary>
    public static TrinoServerSettings Default { get; } = new();

    /// <summary>The catalogs the lake answers to (a client's session catalog is accepted too): <c>hive</c>, as the reference's
    /// notebook connects (<c>presto://host:port/hive</c>), and <c>lake</c>.</summary>
    public ImmutableArray<string> Catalogs { get; init; } = ["hive", "lake"];

    /// <summary>The schema holding the lake's tables in each catalog.</summary>
    public string Schema { get; init; } = "default";

    /// <summary>Longest run of one query, from submission to its last row read by the client.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Most rows one query returns; a query with more fails (with the rows up to the limit already sent) rather
    /// than end silently short.</summary>
    public int MaxRows { get; init; } = 1_000_000;

    /// <summary>Queries held at once (running, or waiting for the engine); more are answered 503 with <c>Retry-After</c>,
    /// which Trino's clients retry.</summary>
    public int MaxQueries { get; init; } = 32;

    /// <summary>How long a query may go without its client asking for the next page before it is cancelled
    /// (<c>ABANDONED_QUERY</c>) and its resources freed.</summary>
    public TimeSpan AbandonAfter { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Most rows in one page.</summary>
    public int PageRows { get; init; } = 8192;

    /// <summary>Most JSON bytes in one page (a page ends after the row that passes it).</summary>
    public int PageBytes { get; init; } = 1 << 20;

    /// <summary>Longest a page request waits for rows before it answers with what there is (clients poll again).</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The version <c>/v1/info</c> reports.</summary>
    public string Version { get; init; } = typeof(TrinoServerSettings).Assembly.GetName().Version?.ToString(3) ?? "0.1.0";

    /// <summary>Returns a copy with other catalog names.</summary>
    /// <param name="catalogs">The names (at least one).</param>
    /// <returns>The new settings.</returns>
    /// <exception cref="ArgumentException">None given, or one is empty.</exception>
    public TrinoServerSettings WithCatalogs(params string[] catalogs)
    {
        ArgumentNullException.ThrowIfNull(catalogs);
        if (catalogs.Length == 0 || catalogs.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Give at least one catalog name, none empty.", nameof(catalogs));
        }

        return this with { Catalogs = [.. catalogs] };
    }

    /// <summary>Returns a copy with other query limits.</summary>
    /// <param name="timeout">Longest run of one query (positive).</param>
    /// <param name="maxRows">Most rows of one query (positive).</param>
    /// <param name="maxQueries">Queries held at once (positive).</param>
    /// <returns>The new settings.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive.</exception>
    public TrinoServerSettings WithLimits(TimeSpan timeout, int maxRows, int maxQueries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxQueries);
        return this with { QueryTimeout = timeout, MaxRows = maxRows, MaxQueries = maxQueries };
    }

    /// <summary>Returns a copy with another abandonment timeout.</summary>
    /// <param name="after">Longest wait for the client's next request (positive).</param>
    /// <returns>The new settings.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TrinoServerSettings WithAbandonAfter(TimeSpan after)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(after, TimeSpan.Zero);
        return this with { AbandonAfter = after };
    }

    /// <summary>Returns a copy with other page bounds.</summary>
    /// <param name="rows">Most rows per page (positive).</param>
    /// <param name="bytes">Most JSON bytes per page (positive).</param>
    /// <param name="maxWait">Longest wait for rows (positive).</param>
    /// <returns>The new settings.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive.</exception>
    public TrinoServerSettings WithPages(int rows, int bytes, TimeSpan maxWait)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxWait, TimeSpan.Zero);
        return this with { PageRows = rows, PageBytes = bytes, MaxWait = maxWait };
    }
}
