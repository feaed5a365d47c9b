using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Me3.Streams.Events;

/// <summary>
/// Remembers what the decoder concluded about a field name spelled exactly so (<c>User-Agent</c>, <c>user_name</c>,
/// <c>Accept-Encoding</c>): its field id or -1, and whether it is the timestamp. Real events repeat the same few
/// spellings millions of times, and normalizing and matching each one was a quarter of decoding; a hit here costs a
/// hash of two words and a comparison of the same two. Shared by the threads that decode blocks in parallel: readers
/// take the current table without locking, a miss publishes a copy with the new name (names that fail to publish
/// under contention are simply looked up the slow way again). At most <see cref="MaxNames"/> spellings are kept, so
/// hostile input with endless distinct names only falls back to the slow path.
/// </summary>
internal sealed class FieldNameCache
{
    public const int MaxNameBytes = 64;
    private const int MaxNames = 128;
    private const int Slots = 512; // a power of two, at most a quarter full

    private Entry[] _entries = new Entry[Slots];
    private int _count;

    /// <summary>The cached answer for <paramref name="name"/>'s exact bytes, if any.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(ReadOnlySpan<byte> name, out int field, out bool isTimestamp)
    {
        var (head, tail) = Words(name);
        var entries = Volatile.Read(ref _entries);
        for (var slot = Slot(head, tail, name.Length); ; slot = (slot + 1) & (Slots - 1))
        {
            ref readonly var e = ref entries[slot];
            if (e.Length == 0)
            {
                field = -1;
                isTimestamp = false;
                return false;
            }

            if (e.Length == name.Length && e.Head == head && e.Tail == tail && (name.Length <= 16 || name.SequenceEqual(e.Long)))
            {
                field = e.Field;
                isTimestamp = e.IsTimestamp;
                return true;
            }
        }
    }

    /// <summary>Remembers the answer for <paramref name="name"/> (1 to <see cref="MaxNameBytes"/> bytes), while there is room.</summary>
    public void Add(ReadOnlySpan<byte> name, int field, bool isTimestamp)
    {
        if (name.IsEmpty || name.Length > MaxNameBytes || Volatile.Read(ref _count) >= MaxNames)
        {
            return;
        }

        var (head, tail) = Words(name);
        var current = Volatile.Read(ref _entries);
        var copy = (Entry[])current.Clone();
        var slot = Slot(head, tail, name.Length);
        while (copy[slot].Length != 0)
        {
            if (copy[slot].Length == name.Length && copy[slot].Head == head && copy[slot].Tail == tail && (name.Length <= 16 || name.SequenceEqual(copy[slot].Long)))
            {
                return; // another thread got there first
            }

            slot = (slot + 1) & (Slots - 1);
        }

        copy[slot] = new Entry(head, tail, name.Length, field, isTimestamp, name.Length > 16 ? name.ToArray() : null);
        if (Interlocked.CompareExchange(ref _entries, copy, current) == current)
        {
            Interlocked.Increment(ref _count);
        }
    }

    /// <summary>The first and the last eight bytes (zero-padded when shorter): with the length, they are the whole
    /// name when it has at most 16 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (ulong Head, ulong Tail) Words(ReadOnlySpan<byte> name)
    {
        ref var first = ref MemoryMarshal.GetReference(name);
        if (name.Length >= 8)
        {
            return (Unsafe.ReadUnaligned<ulong>(ref first), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref first, name.Length - 8)));
        }

        if (name.Length >= 4)
        {
            // Two overlapping halves: with the length, still the whole name.
            return (Unsafe.ReadUnaligned<uint>(ref first) | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref first, name.Length - 4)) << 32), 0);
        }

        ulong head = 0;
        for (var i = 0; i < name.Length; i++)
        {
            head |= (ulong)Unsafe.Add(ref first, i) << (8 * i);
        }

        return (head, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Slot(ulong head, ulong tail, int length) =>
        (int)(((head ^ (tail * 0x9E3779B97F4A7C15UL) ^ (ulong)length) * 0xC2B2AE3D27D4EB4FUL) >> 55) & (Slots - 1);

    private readonly record struct Entry(ulong Head, ulong Tail, int Length, int Field, bool IsTimestamp, byte[]? Long);
}
