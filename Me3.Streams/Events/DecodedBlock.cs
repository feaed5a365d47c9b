using System.Collections.Concurrent;

namespace Me3.Streams.Events;

/// <summary>
/// A record block after decoding, in columns: per record the table, the timestamp, where the JSON starts, and the
/// field slots (<see cref="Fields"/> per record, flattened). Decoding fills one on a worker thread; the lake writer
/// copies the values into its table batches and returns the block's arrays to a pool.
/// </summary>
internal sealed class DecodedBlock
{
    private const int MaxPooled = 64;
    private static readonly ConcurrentBag<DecodedBlock> Pool = [];

    private DecodedBlock(int fields) => Fields = fields;

    public RecordBlock Records { get; private set; } = null!;

    /// <summary>Field slots per record.</summary>
    public int Fields { get; }

    public int[] Tables { get; private set; } = [];

    public long[] TimestampsMs { get; private set; } = [];

    public byte[] BodyStarts { get; private set; } = [];

    public FieldSlot[] Slots { get; private set; } = [];

    /// <summary>Dead letters' errors (and whether raw_event is Base64), by record index; null when the block has none.</summary>
    public Dictionary<int, (string Error, bool RawIsBinary)>? DeadLetters { get; private set; }

    public static DecodedBlock Rent(RecordBlock records, int fields)
    {
        if (!Pool.TryTake(out var block) || block.Fields != fields)
        {
            block = new DecodedBlock(fields);
        }

        block.Records = records;
        block.DeadLetters = null;
        if (block.Tables.Length < records.Count)
        {
            var size = Math.Max(records.Count, 256);
            block.Tables = new int[size];
            block.TimestampsMs = new long[size];
            block.BodyStarts = new byte[size];
            block.Slots = new FieldSlot[size * fields];
        }

        return block;
    }

    public ReadOnlySpan<FieldSlot> SlotsOf(int record) => Slots.AsSpan(record * Fields, Fields);

    public void Set(int record, DecodedRow row)
    {
        Tables[record] = row.Table;
        TimestampsMs[record] = (row.Timestamp.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;
        BodyStarts[record] = (byte)row.BodyStart;
        row.Fields.CopyTo(Slots.AsSpan(record * Fields, Fields));
        if (row.Error is not null)
        {
            (DeadLetters ??= [])[record] = (row.Error, row.RawIsBinary);
        }
    }

    /// <summary>Gives the arrays back for another block; the record block is let go.</summary>
    public void Return()
    {
        Records = null!;
        DeadLetters = null;
        if (Pool.Count < MaxPooled)
        {
            Pool.Add(this);
        }
    }
}
