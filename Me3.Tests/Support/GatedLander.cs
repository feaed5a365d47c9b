using Me3.Streams.Lake;
using Me3.Streams.Settings;

namespace Me3.Tests.Support;

/// <summary>A fake at the writer's storage boundary: lands batches in the real lake, but holds the first
/// <paramref name="held"/> writes until <see cref="Release"/>.</summary>
internal sealed class GatedLander(LakeSettings settings, int held = int.MaxValue) : IBatchLander
{
    private readonly FileBatchLander _inner = new(settings);
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _writes;

    /// <summary>Completes when the first write is asked for.</summary>
    public Task FirstWrite => _firstWrite.Task;

    public int Writes => Volatile.Read(ref _writes);

    public void Release() => _gate.TrySetResult();

    public async Task<IReadOnlyList<LandedFile>> LandAsync(TableBatch batch, Func<bool> canPublish)
    {
        _firstWrite.TrySetResult();
        if (Interlocked.Increment(ref _writes) <= held)
        {
            await _gate.Task;
        }

        return await _inner.LandAsync(batch, canPublish);
    }
}
