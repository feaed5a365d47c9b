namespace Me3.Streams.Query.DuckDb;

/// <summary>How the embedded engine runs. Immutable; change it with the <c>With*</c> methods.</summary>
public sealed record DuckDbSettings
{
    /// <summary>Up to one query per core at once, DuckDB's own memory limit and thread count.</summary>
    public static DuckDbSettings Default { get; } = new();

    /// <summary>Queries that run at once; more wait for a free slot (within their time limit).</summary>
    public int MaxConcurrentQueries { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>DuckDB's memory limit, such as <c>2GB</c>; null keeps DuckDB's default (80% of RAM).</summary>
    public string? MemoryLimit { get; init; }

    /// <summary>Threads DuckDB uses per query; null keeps DuckDB's default (one per core).</summary>
    public int? Threads { get; init; }

    /// <summary>Returns a copy with another concurrency bound.</summary>
    /// <param name="queries">Queries that run at once (positive).</param>
    /// <returns>The new settings.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public DuckDbSettings WithMaxConcurrentQueries(int queries)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queries);
        return this with { MaxConcurrentQueries = queries };
    }

    /// <summary>Returns a copy with a memory limit.</summary>
    /// <param name="limit">DuckDB's memory limit, such as <c>2GB</c>.</param>
    /// <returns>The new settings.</returns>
    public DuckDbSettings WithMemoryLimit(string? limit) => this with { MemoryLimit = limit };

    /// <summary>Returns a copy with a thread count.</summary>
    /// <param name="threads">Threads per query (positive), or null for DuckDB's default.</param>
    /// <returns>The new settings.</returns>
    public DuckDbSettings WithThreads(int? threads) => this with { Threads = threads };
}
