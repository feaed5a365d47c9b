namespace Me3.Streams.Lake;

/// <summary>What an ingestion run landed, per table.</summary>
public sealed class IngestSummary
{
    private readonly SortedDictionary<string, TableSummary> _tables = new(StringComparer.Ordinal);

    /// <summary>Per table name, what landed.</summary>
    public IReadOnlyDictionary<string, TableSummary> Tables => _tables;

    /// <summary>Rows landed in all tables.</summary>
    public long RowsLanded => _tables.Values.Sum(t => t.RowsLanded);

    /// <summary>Replayed records skipped in all tables because the lake already had them.</summary>
    public long AlreadyInLake => _tables.Values.Sum(t => t.AlreadyInLake);

    /// <summary>Whether the run saw its final checkpoint (the input completed and everything landed).</summary>
    public bool Completed { get; private set; }

    /// <summary>Adds a checkpoint's counts.</summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <returns>This summary.</returns>
    public IngestSummary Add(LakeCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        foreach (var file in checkpoint.Files)
        {
            var t = Table(file.Table);
            t.RowsLanded += file.Rows;
            t.FilesWritten++;
            t.BytesWritten += file.Bytes;
        }

        foreach (var (table, skipped) in checkpoint.AlreadyInLake)
        {
            Table(table).AlreadyInLake += skipped;
        }

        Completed |= checkpoint.IsFinal;
        return this;
    }

    private TableSummary Table(string name)
    {
        if (!_tables.TryGetValue(name, out var t))
        {
            _tables[name] = t = new TableSummary();
        }

        return t;
    }
}

/// <summary>What an ingestion run landed in one table.</summary>
public sealed class TableSummary
{
    /// <summary>Rows written.</summary>
    public long RowsLanded { get; internal set; }

    /// <summary>Files written.</summary>
    public int FilesWritten { get; internal set; }

    /// <summary>Bytes written.</summary>
    public long BytesWritten { get; internal set; }

    /// <summary>Replayed records skipped because the table already had them.</summary>
    public long AlreadyInLake { get; internal set; }
}
