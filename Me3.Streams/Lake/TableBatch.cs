using System.Text;
using Me3.Streams.Events;
using Me3.Streams.Routing;

namespace Me3.Streams.Lake;

/// <summary>
/// One table's micro-batch in columnar form. Each row keeps a copy of its record's UTF-8 bytes, and each text
/// column keeps where its value is in them. Text becomes UTF-16 only when a row group is written, on the write
/// task, so a batch costs about its JSON size in memory. Owned by the lake writer stage while filling, then by one
/// write task.
/// </summary>
internal sealed class TableBatch : IDisposable
{
    private const int InitialCapacity = 1024;

    // Per event-field column: value start within the record (-1: null; <= -2: index -2-start into _unescaped).
    private readonly int[][] _starts;
    private readonly int[][] _lengths;
    private readonly List<byte[]> _unescaped = [];
    private readonly ByteArena _arena = new();
    private ReadOnlyMemory<byte>[] _raw = new ReadOnlyMemory<byte>[InitialCapacity];
    private string?[] _errors = [];
    private DateTime[] _timestamps = new DateTime[InitialCapacity];
    private int[] _partitions = new int[InitialCapacity];
    private long[] _offsets = new long[InitialCapacity];
    private int[] _days = new int[InitialCapacity];

    public TableBatch(TableSchema schema, int[] columnFields, long startedAt)
    {
        Schema = schema;
        ColumnFields = columnFields;
        StartedAt = startedAt;
        _starts = schema.Columns.Select(c => c.Role == ColumnRole.EventField ? new int[InitialCapacity] : []).ToArray();
        _lengths = schema.Columns.Select(c => c.Role == ColumnRole.EventField ? new int[InitialCapacity] : []).ToArray();
        if (schema.IsDeadLetters)
        {
            _errors = new string?[InitialCapacity];
        }
    }

    public TableSchema Schema { get; }

    public int[] ColumnFields { get; }

    /// <summary>When the first record arrived (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
    public long StartedAt { get; }

    public int Count { get; private set; }

    /// <summary>The event JSON bytes this batch holds.</summary>
    public long Bytes { get; private set; }

    public string? Source { get; private set; }

    public ReadOnlyMemory<DateTime> Timestamps => _timestamps.AsMemory(0, Count);

    public ReadOnlyMemory<int> Partitions => _partitions.AsMemory(0, Count);

    public ReadOnlyMemory<long> Offsets => _offsets.AsMemory(0, Count);

    /// <summary>Days since 0001-01-01 of each row's UTC timestamp: the row's <c>dt</c> partition.</summary>
    public ReadOnlyMemory<int> Days => _days.AsMemory(0, Count);

    public int RawLength(int row) => _raw[row].Length;

    /// <summary>The UTF-8 bytes of a text column's value, or false for NULL.</summary>
    public bool TryGetText(int column, int row, out ReadOnlySpan<byte> utf8)
    {
        switch (Schema.Columns[column].Role)
        {
            case ColumnRole.RawEvent:
                utf8 = _raw[row].Span;
                return true;
            case ColumnRole.Error:
                utf8 = _errors[row] is { } error ? Encoding.UTF8.GetBytes(error) : default;
                return _errors[row] is not null;
            default:
                var start = _starts[column][row];
                utf8 = start >= 0 ? _raw[row].Span.Slice(start, _lengths[column][row])
                    : start <= -2 ? _unescaped[-2 - start]
                    : default;
                return start != -1;
        }
    }

    public void Add(DecodedEvent e)
    {
        Source ??= e.Record.Source;
        if (Count == _timestamps.Length)
        {
            Grow();
        }

        var i = Count;
        var record = e.Record.Value;
        _raw[i] = e.RawIsBinary ? Encoding.UTF8.GetBytes(Convert.ToBase64String(record.Span)) : _arena.Copy(record.Span);
        if (Schema.IsDeadLetters)
        {
            _errors[i] = e.Error;
        }

        for (var c = 0; c < ColumnFields.Length; c++)
        {
            var field = ColumnFields[c];
            if (field < 0)
            {
                continue;
            }

            var v = e.Fields[field];
            if (v.Text is not null)
            {
                _starts[c][i] = -2 - _unescaped.Count;
                _unescaped.Add(Encoding.UTF8.GetBytes(v.Text));
            }
            else
            {
                _starts[c][i] = v.Start;
                _lengths[c][i] = v.Length;
            }
        }

        _timestamps[i] = e.Timestamp;
        _days[i] = (int)(e.Timestamp.Ticks / TimeSpan.TicksPerDay);
        _partitions[i] = e.Record.Partition;
        _offsets[i] = e.Record.Offset;
        Bytes += record.Length;
        Count++;
    }

    /// <summary>Returns the record bytes to the pool; call once the batch is landed.</summary>
    public void Dispose() => _arena.Dispose();

    private void Grow()
    {
        var size = _timestamps.Length * 2;
        Array.Resize(ref _raw, size);
        Array.Resize(ref _timestamps, size);
        Array.Resize(ref _partitions, size);
        Array.Resize(ref _offsets, size);
        Array.Resize(ref _days, size);
        if (_errors.Length > 0)
        {
            Array.Resize(ref _errors, size);
        }

        for (var c = 0; c < _starts.Length; c++)
        {
            if (_starts[c].Length > 0)
            {
                Array.Resize(ref _starts[c], size);
                Array.Resize(ref _lengths[c], size);
            }
        }
    }
}
