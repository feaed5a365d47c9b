using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Me3.Streams.Lake;

/// <summary>
/// Holds a batch's bytes (records, unescaped values, error texts) in a few pooled 1 MiB blocks. Copying each record
/// here (a memcpy) lets the source's buffers and Kafka's message arrays die young, instead of a sparse table pinning
/// them all until it writes; the blocks go back to the pool when the batch is landed. Blocks live on the pinned
/// object heap, so a native Parquet encoder can read values in place by address, without copying or pinning.
/// A value is named by its position: block index in the high 32 bits, offset in the low 32.
/// </summary>
internal sealed class ByteArena : IDisposable
{
    private const int BlockBytes = 1 << 20;

    // Enough blocks for the default memory bound plus writes in flight; more are allocated and dropped.
    private const int MaxPooledBlocks = 192;
    private static readonly ConcurrentBag<byte[]> Pool = [];

    private readonly List<byte[]> _blocks = [];
    private byte[] _current = [];
    private int _used;

    /// <summary>Bytes of blocks this arena holds.</summary>
    public long Capacity { get; private set; }

    /// <summary>Copies <paramref name="bytes"/> in and returns their position.</summary>
    public long Write(ReadOnlySpan<byte> bytes)
    {
        var span = Reserve(bytes.Length, out var position);
        bytes.CopyTo(span);
        _used += bytes.Length;
        return position;
    }

    /// <summary>Room for up to <paramref name="length"/> bytes at <paramref name="position"/>; call
    /// <see cref="Commit"/> with what was used.</summary>
    public Span<byte> Reserve(int length, out long position)
    {
        if (_current.Length - _used < length)
        {
            _current = length <= BlockBytes ? Rent() : GC.AllocateUninitializedArray<byte>(length, pinned: true);
            _blocks.Add(_current);
            Capacity += _current.Length;
            _used = 0;
        }

        position = ((long)(_blocks.Count - 1) << 32) | (uint)_used;
        return _current.AsSpan(_used, length);
    }

    /// <summary>Keeps <paramref name="length"/> bytes of the last reservation.</summary>
    public void Commit(int length) => _used += length;

    public ReadOnlySpan<byte> Get(long position, int length) =>
        _blocks[(int)(position >> 32)].AsSpan((int)position, length);

    /// <summary>The address of a position: valid until <see cref="Dispose"/>, since blocks are pinned.</summary>
    public unsafe nint Address(long position) =>
        (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_blocks[(int)(position >> 32)])) + (nint)(uint)position;

    public void Dispose()
    {
        foreach (var block in _blocks)
        {
            if (block.Length == BlockBytes && Pool.Count < MaxPooledBlocks)
            {
                Pool.Add(block);
            }
        }

        _blocks.Clear();
        _current = [];
        _used = 0;
        Capacity = 0;
    }

    private static byte[] Rent() =>
        Pool.TryTake(out var block) ? block : GC.AllocateUninitializedArray<byte>(BlockBytes, pinned: true);
}
