using System.Buffers;

namespace Me3.Streams.Lake;

/// <summary>
/// Holds a batch's record bytes in a few pooled 1 MiB blocks. Copying each record here (a memcpy) lets the
/// source's buffers and Kafka's message arrays die young, instead of a sparse table pinning them all until it
/// writes; the blocks go back to the pool when the batch is landed.
/// </summary>
internal sealed class ByteArena : IDisposable
{
    private const int BlockBytes = 1 << 20;

    // Enough blocks for the default memory bound plus writes in flight; more are allocated and dropped.
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(BlockBytes, 160);

    private readonly List<byte[]> _blocks = [];
    private byte[] _current = [];
    private int _used;

    public ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> bytes)
    {
        if (_current.Length - _used < bytes.Length)
        {
            _current = bytes.Length <= BlockBytes ? Pool.Rent(BlockBytes) : new byte[bytes.Length];
            _blocks.Add(_current);
            _used = 0;
        }

        bytes.CopyTo(_current.AsSpan(_used));
        var memory = new ReadOnlyMemory<byte>(_current, _used, bytes.Length);
        _used += bytes.Length;
        return memory;
    }

    public void Dispose()
    {
        foreach (var block in _blocks)
        {
            if (block.Length == BlockBytes)
            {
                Pool.Return(block);
            }
        }

        _blocks.Clear();
        _current = [];
        _used = 0;
    }
}
