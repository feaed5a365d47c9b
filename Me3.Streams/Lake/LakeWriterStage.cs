using System.Diagnostics;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using Akka.Streams.Supervision;
using Me3.Streams.Events;
using Me3.Streams.Routing;
using Me3.Streams.Settings;

namespace Me3.Streams.Lake;

/// <summary>
/// Appends decoded blocks to one micro-batch per table and lands each batch as Snappy Parquet, exactly once.
/// One stage owns every table's batch so that it can tell when all records before an offset are durable, across
/// tables, and so that one memory bound covers them all. Partition, revocation and write bookkeeping live in
/// <see cref="PartitionBook"/>, <see cref="RevocationBook"/> and <see cref="WriteScheduler"/>; all I/O (opening the
/// lake, scanning it for watermarks, writing) runs off the stream's thread.
/// <para><b>Emits when</b> a batch write completes (or, on the timer, when replayed records advanced a
/// committable offset), merging checkpoints while downstream is slow.</para>
/// <para><b>Backpressures when</b> the buffered bytes reach <see cref="LakeSettings.MaxBufferedBytes"/>, a full
/// batch cannot start writing because its table's previous write is still in progress, or the lake is being scanned
/// for a new source's watermarks. Bounds are checked between blocks, so they may be passed by one block.</para>
/// <para><b>Completes when</b> upstream completes and every batch is landed; the last checkpoint has
/// <see cref="LakeCheckpoint.IsFinal"/> set.</para>
/// <para><b>Cancels when</b> downstream cancels; batches not yet landed are not committed and will be replayed.</para>
/// </summary>
internal sealed class LakeWriterStage : GraphStage<FlowShape<DecodedBlock, LakeCheckpoint>>
{
    private readonly LakeSettings _settings;
    private readonly IBatchLander _lander;

    public LakeWriterStage(LakeSettings settings, IBatchLander lander)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(lander);
        settings.Validate();
        _settings = settings;
        _lander = lander;
        Layout = LakeLayout.For(settings.Routing);
        Shape = new FlowShape<DecodedBlock, LakeCheckpoint>(In, Out);
    }

    public Inlet<DecodedBlock> In { get; } = new("LakeWriter.in");

    public Outlet<LakeCheckpoint> Out { get; } = new("LakeWriter.out");

    public LakeLayout Layout { get; }

    public override FlowShape<DecodedBlock, LakeCheckpoint> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("lakeWriter");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) =>
        new Logic(this, inheritedAttributes.GetAttribute(new ActorAttributes.SupervisionStrategy(Deciders.StoppingDecider)).Decider);

    private sealed class Logic : TimerGraphStageLogic
    {
        private const string TickTimer = "tick";
        private const string RetryTimer = "retry";

        private readonly LakeWriterStage _stage;
        private readonly LakeSettings _settings;
        private readonly LakeLayout _layout;
        private readonly Decider _decider;
        private readonly PartitionBook _partitions;
        private readonly RevocationBook _revocations = new();
        private readonly WriteScheduler _writes;
        private readonly CheckpointBuilder _checkpoint;
        private readonly string[] _tables;
        private readonly HashSet<IPartitionOwnership> _subscribed = [];
        private readonly Listener _listener;
        private readonly Action<(LakeWrite Write, IReadOnlyList<LandedFile>? Files, Exception? Error)> _onWriteDone;
        private readonly Action<Exception?> _onOpened;
        private readonly Action<WatermarkScan> _onScanned;
        private DecodedBlock? _held;
        private int _heldFrom;
        private bool _open;
        private bool _upstreamDone;
        private bool _finalPushed;

        public Logic(LakeWriterStage stage, Decider decider)
            : base(stage.Shape)
        {
            _stage = stage;
            _settings = stage._settings;
            _layout = stage.Layout;
            _decider = decider;
            _tables = _layout.Tables.Select(t => t.Name).ToArray();
            _partitions = new PartitionBook(_tables);
            _writes = new WriteScheduler(_settings, _layout);
            _checkpoint = new CheckpointBuilder(_tables);
            _onWriteDone = GetAsyncCallback<(LakeWrite, IReadOnlyList<LandedFile>?, Exception?)>(OnWriteDone);
            _onOpened = GetAsyncCallback<Exception?>(OnOpened);
            _onScanned = GetAsyncCallback<WatermarkScan>(OnScanned);
            _listener = new Listener(
                GetAsyncCallback<IReadOnlyList<(string Source, int Partition)>>(OnAssigned),
                GetAsyncCallback<(IReadOnlyList<(string Source, int Partition)>, TaskCompletionSource<IReadOnlyList<CommittableOffset>>)>(OnRevoked),
                GetAsyncCallback<IReadOnlyList<(string Source, int Partition)>>(_revocations.Lost));

            SetHandler(stage.In, onPush: () => Append(Grab(_stage.In), 0), onUpstreamFinish: OnUpstreamFinish);
            SetHandler(stage.Out, onPull: TryPush);
        }

        public override void PreStart()
        {
            // Batch ages are checked on this tick, so a batch lands at most one tick after its interval: keep that
            // small beside the interval (an event is queryable within the interval and a fraction of a second).
            var tick = TimeSpan.FromTicks(Math.Clamp(_settings.MaxBatchInterval.Ticks / 20, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 100));
            ScheduleRepeatedly(TickTimer, tick);
            LakeScans.Open(_settings.Path, _settings.Fsync, _onOpened);
        }

        public override void PostStop()
        {
            _listener.Stopped = true;
            foreach (var ownership in _subscribed)
            {
                ownership.Unsubscribe(_listener);
            }

            _revocations.StopAll();
        }

        protected override void OnTimer(object timerKey)
        {
            if (Equals(timerKey, RetryTimer))
            {
                foreach (var retry in _writes.TakeRetries())
                {
                    Launch(retry);
                }

                return;
            }

            var now = Stopwatch.GetTimestamp();
            for (var t = 0; t < _writes.Tables; t++)
            {
                if (_writes.IsFullOrOld(t, now))
                {
                    TryStartWrite(t);
                }
            }

            CollectCommittable();
            TryPush();
        }

        private void OnOpened(Exception? error)
        {
            if (error is not null)
            {
                FailStage(new Me3Exception($"Cannot open the lake at '{_settings.Path}': {error.Message}", error, file: _settings.Path));
                return;
            }

            _open = true;
            PullIfRoom();
        }

        /// <summary>Appends a block's records from <paramref name="from"/> on; stops to scan the lake when a record
        /// of a source without watermarks comes, and goes on from there when the scan is done.</summary>
        private void Append(DecodedBlock block, int from)
        {
            var records = block.Records;
            if (records.Committer is IPartitionOwnership ownership && _subscribed.Add(ownership))
            {
                ownership.Subscribe(_listener);
            }

            for (var i = from; i < records.Count; i++)
            {
                ref readonly var r = ref records[i];
                if (_revocations.IsRevoked(r.Source, r.Partition))
                {
                    continue; // revoked: its new owner reads it
                }

                if (_partitions.NeedsWatermarks(r.Source))
                {
                    Hold(block, i, r.Source);
                    return;
                }

                var p = _partitions.StateOf(r.Source, r.Partition, r.Offset);
                if (p.LastSeen < 0 && records.Committer is IPartitionOwnership owner && owner.EndOffset(r.Source, r.Partition) is { } end &&
                    SourceIdentity.CheckPartition(_settings.Path, r.Source, r.Partition, _partitions.LandedUpTo(r.Source, r.Partition), end) is { } foreign)
                {
                    FailStage(foreign); // its first record since it was assigned: nothing of it was skipped yet
                    return;
                }

                var t = block.Tables[i];
                p.LastSeen = Math.Max(p.LastSeen, r.Offset);
                p.Committer = records.Committer ?? p.Committer;
                if (r.Offset <= p.Watermarks[t])
                {
                    _checkpoint.Skipped(t); // replayed after a restart: this table already has it
                    continue;
                }

                var batch = _writes.BatchFor(t);
                if (p.FirstBuffered[t] < 0)
                {
                    p.FirstBuffered[t] = r.Offset;
                }

                batch.Add(block, i);
                p.Watermarks[t] = r.Offset;
                _writes.Buffered(r.Value.Length);
                if (_writes.IsFull(batch))
                {
                    TryStartWrite(t);
                }
            }

            if (records.SourceEnd is { } read && records.File is { } file)
            {
                if (_partitions.NeedsWatermarks(file.Source))
                {
                    Hold(block, records.Count, file.Source); // an empty file: nothing read yet asked for the lake's offsets
                    return;
                }

                if (SourceIdentity.CheckFile(_settings.Path, file, read, _partitions.LandedUpTo(file.Source, FileExtent.Partition), nothingLanded: false) is { } shorter)
                {
                    FailStage(shorter); // a file that changed while it was read, or a pipe: it could not be counted ahead
                    return;
                }
            }

            _held = null;
            block.Return();
            if (_writes.OverMemoryBound)
            {
                WriteLargestBatch();
            }

            if (_upstreamDone)
            {
                OnUpstreamFinish();
                return;
            }

            PullIfRoom();
        }

        /// <summary>Holds the block from record <paramref name="from"/> on while the lake is scanned for the source's watermarks.</summary>
        private void Hold(DecodedBlock block, int from, string source)
        {
            _held = block;
            _heldFrom = from;
            if (!LakeIdentifier.IsValidSource(source))
            {
                FailStage(new Me3Exception($"Source name '{source}' is not valid: use 1 to 100 of [A-Za-z0-9._-], not starting with '.' or '_'.", source: source));
                return;
            }

            var records = block.Records;
            LakeScans.Watermarks(_settings.Path, _tables, source, records.Committer as IPartitionOwnership, records.File, _partitions.Generation(source), _onScanned);
        }

        private void OnScanned(WatermarkScan scan)
        {
            if (scan.Error is { } e)
            {
                FailStage(new Me3Exception($"Cannot read the lake's recovery state at '{_settings.Path}': {e.Message}", e, source: scan.Source, file: _settings.Path));
                return;
            }

            _partitions.Loaded(scan.Source, scan.Generation, scan.Watermarks!);
            if (scan.FileRecords is { } records && _held!.Records.File is { } file &&
                SourceIdentity.CheckFile(_settings.Path, file, records, _partitions.LandedUpTo(file.Source, FileExtent.Partition), nothingLanded: true) is { } shorter)
            {
                FailStage(shorter); // counted before its first record: nothing of it landed
                return;
            }

            Append(_held!, _heldFrom);
        }

        private void OnUpstreamFinish()
        {
            _upstreamDone = true;
            if (_held is not null)
            {
                return; // Append finishes once the lake scan is done
            }

            for (var t = 0; t < _writes.Tables; t++)
            {
                TryStartWrite(t);
            }

            TryFinish();
        }

        private void WriteLargestBatch()
        {
            var largest = _writes.LargestWaiting();
            if (largest >= 0)
            {
                TryStartWrite(largest);
            }
        }

        private void PullIfRoom()
        {
            if (_open && _held is null && !_upstreamDone && !HasBeenPulled(_stage.In) && !_writes.OverMemoryBound && !_writes.AnyFullBatchWaiting)
            {
                Pull(_stage.In);
            }
        }

        private void TryStartWrite(int table)
        {
            if (_writes.TryStart(table, _partitions) is { } write)
            {
                Launch(write);
            }
        }

        private void Launch(LakeWrite write)
        {
            var done = _onWriteDone;
            _stage._lander.LandAsync(write.Batch, write.StillOwned()).ContinueWith(
                task => done((write, task.IsCompletedSuccessfully ? task.Result : null, task.IsCompletedSuccessfully ? null : task.Exception?.GetBaseException() ?? new OperationCanceledException())),
                TaskScheduler.Default);
        }

        private void OnWriteDone((LakeWrite Write, IReadOnlyList<LandedFile>? Files, Exception? Error) result)
        {
            var write = result.Write;
            if (result.Error is PartitionFencedException fenced)
            {
                // Another consumer owns a partition of this batch now and lands it itself. The batch's other
                // records were not committed either, so the safe way on is a restart from the committed offsets.
                FailStage(new Me3Exception(
                    $"A partition of table '{write.Batch.Schema.Name}' moved to another consumer while its batch was being written; the batch was not published. Restart to resume from the committed offsets.",
                    fenced, source: write.Batch.Source));
                return;
            }

            if (result.Error is { } error)
            {
                var failure = new Me3Exception(
                    $"Writing {write.Batch.Count} records of table '{write.Batch.Schema.Name}' to the lake at '{_settings.Path}' failed: {error.Message}",
                    error, source: write.Batch.Source);
                if (_decider(failure) == Directive.Stop)
                {
                    FailStage(failure);
                    return;
                }

                // Resume and Restart both retry the same batch: dropping it would lose data.
                Log.Warning(failure, "Retrying write of table {0} (attempt {1})", write.Batch.Schema.Name, write.Attempt + 1);
                ScheduleOnce(RetryTimer, _writes.Failed(write));
                return;
            }

            _writes.Landed(write);
            _checkpoint.Landed(result.Files!);
            CollectCommittable();
            for (var t = 0; t < _writes.Tables; t++)
            {
                if (_writes.HasRows(t) && (_writes.IsFullOrOld(t, Stopwatch.GetTimestamp()) || _upstreamDone || _revocations.HasPending))
                {
                    TryStartWrite(t);
                }
            }

            if (_writes.OverMemoryBound)
            {
                WriteLargestBatch();
            }

            _revocations.AnswerSettled(_partitions, _writes.InFlight);
            TryPush();
            PullIfRoom();
            TryFinish();
        }

        private void OnAssigned(IReadOnlyList<(string Source, int Partition)> partitions)
        {
            _revocations.Assigned(partitions);
            _partitions.Assigned(partitions);
        }

        private void OnRevoked((IReadOnlyList<(string Source, int Partition)> Partitions, TaskCompletionSource<IReadOnlyList<CommittableOffset>> Done) request)
        {
            _revocations.Revoke(request.Partitions, request.Done);
            for (var t = 0; t < _writes.Tables; t++)
            {
                TryStartWrite(t); // land everything buffered now; tables already writing follow when they finish
            }

            _revocations.AnswerSettled(_partitions, _writes.InFlight);
        }

        private void CollectCommittable() => _partitions.CollectCommittable(_writes.Writing, _checkpoint.Offsets);

        private void TryPush()
        {
            if (!IsAvailable(_stage.Out) || _finalPushed)
            {
                return;
            }

            var final = _upstreamDone && _held is null && _writes.Idle;
            if (_checkpoint.IsEmpty && !final)
            {
                return;
            }

            Push(_stage.Out, _checkpoint.Take(final));
            if (final)
            {
                _finalPushed = true;
                CompleteStage();
            }
        }

        private void TryFinish()
        {
            if (_upstreamDone && _held is null && _writes.Idle)
            {
                CollectCommittable();
                TryPush();
            }
        }
    }

    /// <summary>Receives a committer's partition events on its thread and hands them to the stage.</summary>
    private sealed class Listener(
        Action<IReadOnlyList<(string Source, int Partition)>> onAssigned,
        Action<(IReadOnlyList<(string Source, int Partition)>, TaskCompletionSource<IReadOnlyList<CommittableOffset>>)> onRevoked,
        Action<IReadOnlyList<(string Source, int Partition)>> onLost) : IPartitionListener
    {
        /// <summary>Set when the stage stopped: it lands nothing more, so there is nothing to wait for.</summary>
        public volatile bool Stopped;

        public void OnAssigned(IReadOnlyList<(string Source, int Partition)> partitions) => onAssigned(partitions);

        public Task<IReadOnlyList<CommittableOffset>> OnRevokedAsync(IReadOnlyList<(string Source, int Partition)> partitions)
        {
            if (Stopped)
            {
                return Task.FromResult<IReadOnlyList<CommittableOffset>>([]);
            }

            var done = new TaskCompletionSource<IReadOnlyList<CommittableOffset>>(TaskCreationOptions.RunContinuationsAsynchronously);
            onRevoked((partitions, done));
            return done.Task;
        }

        public void OnLost(IReadOnlyList<(string Source, int Partition)> partitions) => onLost(partitions);
    }
}
