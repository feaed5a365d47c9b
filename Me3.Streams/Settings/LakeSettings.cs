namespace Me3.Streams.Settings;

/// <summary>
/// Where and how events land in the lake. Immutable; change it with the <c>With*</c> methods.
/// </summary>
public sealed record LakeSettings
{
    /// <summary>Creates settings for a lake at <paramref name="path"/> with default bounds.</summary>
    /// <param name="path">The lake's root directory; created if missing.</param>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public LakeSettings(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The lake's root directory (absolute).</summary>
    public string Path { get; init; }

    /// <summary>How events are routed to tables.</summary>
    public RoutingSettings Routing { get; init; } = RoutingSettings.Default;

    /// <summary>A table's micro-batch is written when it holds this many records.</summary>
    public int MaxBatchRecords { get; init; } = 250_000;

    /// <summary>A table's micro-batch is written when its events' JSON adds up to this many bytes.</summary>
    public long MaxBatchBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>A table's micro-batch is written when its oldest record has waited this long.</summary>
    public TimeSpan MaxBatchInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most event JSON bytes held in memory across all tables, buffered and being written. When reached,
    /// the largest batch is written early and the stage stops pulling (backpressure) until memory frees up.
    /// </summary>
    public long MaxBufferedBytes { get; init; } = 96L * 1024 * 1024;

    /// <summary>How many batch files may be written at once (each table writes one at a time, in order).</summary>
    public int MaxConcurrentWrites { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Most rows per Parquet row group.</summary>
    public int RowGroupRows { get; init; } = 131_072;

    /// <summary>Most event JSON bytes per Parquet row group; bounds the memory needed to encode one.</summary>
    public long RowGroupBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Whether landed files and renames are flushed to disk (fsync) before offsets count as committable.</summary>
    public bool Fsync { get; init; } = true;

    /// <summary>Which library encodes the Parquet files.</summary>
    public ParquetWriterKind ParquetWriter { get; init; } = ParquetWriterKind.ParquetSharp;

    /// <summary>Returns a copy with other routing.</summary>
    /// <param name="routing">The routing.</param>
    /// <returns>The new settings.</returns>
    public LakeSettings WithRouting(RoutingSettings routing)
    {
        ArgumentNullException.ThrowIfNull(routing);
        return this with { Routing = routing };
    }

    /// <summary>Returns a copy with other micro-batch bounds; <see cref="MaxBufferedBytes"/> is raised to hold at least
    /// one batch when <paramref name="maxBytes"/> passes it.</summary>
    /// <param name="maxRecords">Records per batch.</param>
    /// <param name="maxBytes">Event JSON bytes per batch.</param>
    /// <param name="maxInterval">Longest wait of a buffered record.</param>
    /// <returns>The new settings.</returns>
    public LakeSettings WithBatchBounds(int maxRecords, long maxBytes, TimeSpan maxInterval) =>
        this with
        {
            MaxBatchRecords = maxRecords,
            MaxBatchBytes = maxBytes,
            MaxBatchInterval = maxInterval,
            MaxBufferedBytes = Math.Max(MaxBufferedBytes, maxBytes),
        };

    /// <summary>Returns a copy with another memory bound.</summary>
    /// <param name="maxBufferedBytes">Event JSON bytes held across all tables.</param>
    /// <returns>The new settings.</returns>
    public LakeSettings WithMaxBufferedBytes(long maxBufferedBytes) => this with { MaxBufferedBytes = maxBufferedBytes };

    /// <summary>Returns a copy with another row-group size.</summary>
    /// <param name="rows">Rows per row group.</param>
    /// <returns>The new settings.</returns>
    public LakeSettings WithRowGroupRows(int rows) => this with { RowGroupRows = rows };

    /// <summary>Returns a copy that encodes Parquet with another library.</summary>
    /// <param name="writer">The library.</param>
    /// <returns>The new settings.</returns>
    public LakeSettings WithParquetWriter(ParquetWriterKind writer) => this with { ParquetWriter = writer };

    /// <summary>Checks the bounds.</summary>
    /// <exception cref="Me3Exception">A bound is out of range.</exception>
    public void Validate()
    {
        Require(MaxBatchRecords > 0, nameof(MaxBatchRecords), MaxBatchRecords, "must be positive");
        Require(MaxBatchBytes > 0, nameof(MaxBatchBytes), MaxBatchBytes, "must be positive");
        Require(MaxBatchInterval > TimeSpan.Zero, nameof(MaxBatchInterval), MaxBatchInterval, "must be positive");
        Require(MaxBufferedBytes >= MaxBatchBytes, nameof(MaxBufferedBytes), MaxBufferedBytes, "must be at least MaxBatchBytes");
        Require(MaxConcurrentWrites > 0, nameof(MaxConcurrentWrites), MaxConcurrentWrites, "must be positive");
        Require(RowGroupRows > 0, nameof(RowGroupRows), RowGroupRows, "must be positive");
        Require(RowGroupBytes > 0, nameof(RowGroupBytes), RowGroupBytes, "must be positive");
        Require(Enum.IsDefined(ParquetWriter), nameof(ParquetWriter), ParquetWriter, "must be ParquetSharp or ParquetNet");
    }

    private static void Require(bool ok, string name, object value, string what) => SettingsCheck.Require(ok, "Lake", name, value, what);
}
