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
/// Buffers decoded events in one micro-batch per table and lands each batch as Snappy Parquet, exactly once.
/// One stage owns every table's batch so that it can tell when all records before an offset are durable, across
/// tables, and so that one memory bound covers them all.
/// <para><b>Emits when</b> a batch write completes (or, on the timer, when replayed records advanced a
/// committable offset), merging checkpoints while downstream is slow.</para>
/// <para><b>Backpressures when</b> the buffered bytes reach <see cref="LakeSettings.MaxBufferedBytes"/>, or a full
/// batch cannot start writing because its table's previous write is still in progress.</para>
/// <para><b>Completes when</b> upstream completes and every batch is landed; the last checkpoint has
/// <see cref="LakeCheckpoint.IsFinal"/> set.</para>
/// <para><b>Cancels when</b> downstream cancels; batches not yet landed are not committed and will be replayed.</para>
/// </summary>
internal sealed class LakeWriterStage : GraphStage<FlowShape<DecodedEvent, LakeCheckpoint>>
{
    private readonly LakeSettings _settings;

    public LakeWriterStage(LakeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _settings = settings;
        Layout = LakeLayout.For(settings.Routing);
        Shape = new FlowShape<DecodedEvent, LakeCheckpoint>(In, Out);
    }

    public Inlet<DecodedEvent> In { get; } = new("LakeWriter.in");

    public Outlet<LakeCheckpoint> Out { get; } = new("LakeWriter.out");

    public LakeLayout Layout { get; }

    /// <summary>Awaited before each batch write; tests use it to hold writes and observe backpressure.</summary>
    internal Func<Task>? BeforeWrite { get; init; }

    public override FlowShape<DecodedEvent, LakeCheckpoint> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("lakeWriter");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) =>
        new Logic(this, inheritedAttributes.GetAttribute(new ActorAttributes.SupervisionStrategy(Deciders.StoppingDecider)).Decider);

    /// <summary>Where a source partition stands: what is landed, buffered, being written, committable.</summary>
    private sealed class PartitionState(string source, int partition, long[] watermarks, int tables)
    {
        public string Source { get; } = source;

        public int Partition { get; } = partition;

        /// <summary>Per table, the highest offset already in the lake; replayed records at or below it are skipped.</summary>
        public long[] Watermarks { get; } = watermarks;

        /// <summary>Per table, the first offset in the table's current batch, or -1.</summary>
        public long[] FirstBuffered { get; } = Enumerable.Repeat(-1L, tables).ToArray();

        public long LastSeen { get; set; } = -1;

        public long Committed { get; set; } = -1;

        public IOffsetCommitter? Committer { get; set; }
    }

    private sealed class Write(int table, TableBatch batch, Dictionary<PartitionState, long> firstOffsets)
    {
        public int Table { get; } = table;

        public TableBatch Batch { get; } = batch;

        public Dictionary<PartitionState, long> FirstOffsets { get; } = firstOffsets;

        public int Attempt { get; set; }
    }

    private sealed class Logic : TimerGraphStageLogic
    {
        private const string TickTimer = "tick";
        private const string RetryTimer = "retry";

        private readonly LakeWriterStage _stage;
        private readonly LakeSettings _settings;
        private readonly LakeLayout _layout;
        private readonly Decider _decider;
        private readonly TableBatch?[] _batches;
        private readonly Write?[] _writing;
        private readonly long[] _skipped;
        private readonly Dictionary<(string, int), PartitionState> _partitions = [];
        private readonly Dictionary<string, IReadOnlyDictionary<string, Dictionary<int, long>>> _loaded = new(StringComparer.Ordinal);
        private readonly long _maxBatchAgeTicks;
        private readonly Action<(Write Write, IReadOnlyList<LandedFile>? Files, Exception? Error)> _onWriteDone;
        private readonly List<LandedFile> _pendingFiles = [];
        private readonly Dictionary<PartitionState, CommittableOffset> _pendingOffsets = [];
        private readonly Queue<Write> _retries = new();
        private readonly HashSet<(string, int)> _revoked = [];
        private readonly HashSet<string> _staleSources = new(StringComparer.Ordinal);
        private readonly HashSet<IPartitionOwnership> _subscribed = [];
        private readonly Listener _listener;
        private readonly List<(HashSet<(string, int)> Partitions, TaskCompletionSource<IReadOnlyList<CommittableOffset>> Done)> _revocations = [];
        private readonly Action<IReadOnlyList<(string Source, int Partition)>> _onAssigned;
        private readonly Action<(IReadOnlyList<(string Source, int Partition)> Partitions, TaskCompletionSource<IReadOnlyList<CommittableOffset>> Done)> _onRevoked;
        private readonly Action<IReadOnlyList<(string Source, int Partition)>> _onLost;
        private PartitionState? _last;
        private long _bufferedBytes;
        private int _writesInFlight;
        private bool _upstreamDone;
        private bool _finalPushed;

        public Logic(LakeWriterStage stage, Decider decider)
            : base(stage.Shape)
        {
            _stage = stage;
            _settings = stage._settings;
            _layout = stage.Layout;
            _decider = decider;
            _batches = new TableBatch?[_layout.Tables.Count];
            _writing = new Write?[_layout.Tables.Count];
            _skipped = new long[_layout.Tables.Count];
            _maxBatchAgeTicks = (long)(_settings.MaxBatchInterval.TotalSeconds * Stopwatch.Frequency);
            _onWriteDone = GetAsyncCallback<(Write, IReadOnlyList<LandedFile>?, Exception?)>(OnWriteDone);
            _onAssigned = GetAsyncCallback<IReadOnlyList<(string Source, int Partition)>>(OnAssigned);
            _onRevoked = GetAsyncCallback<(IReadOnlyList<(string Source, int Partition)>, TaskCompletionSource<IReadOnlyList<CommittableOffset>>)>(OnRevoked);
            _onLost = GetAsyncCallback<IReadOnlyList<(string Source, int Partition)>>(OnLost);
            _listener = new Listener(this);

            SetHandler(stage.In, onPush: OnPush, onUpstreamFinish: OnUpstreamFinish);
            SetHandler(stage.Out, onPull: TryPush);
        }

        public override void PostStop()
        {
            _listener.Stopped = true;
            foreach (var ownership in _subscribed)
            {
                ownership.Unsubscribe(_listener);
            }

            foreach (var (_, done) in _revocations)
            {
                done.TrySetResult([]); // stopped: nothing more will be landed by this stage
            }
        }

        public override void PreStart()
        {
            try
            {
                Directory.CreateDirectory(_settings.Path);
                LakeRecovery.RollForward(_settings.Path, _settings.Fsync);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                FailStage(new Me3Exception($"Cannot open the lake at '{_settings.Path}': {e.Message}", e, file: _settings.Path));
                return;
            }

            var tick = TimeSpan.FromTicks(Math.Clamp(_settings.MaxBatchInterval.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
            ScheduleRepeatedly(TickTimer, tick);
            Pull(_stage.In);
        }

        protected override void OnTimer(object timerKey)
        {
            if (Equals(timerKey, RetryTimer))
            {
                while (_retries.TryDequeue(out var retry))
                {
                    StartWrite(retry);
                }

                return;
            }

            var now = Stopwatch.GetTimestamp();
            for (var t = 0; t < _batches.Length; t++)
            {
                if (_batches[t] is { Count: > 0 } b && now - b.StartedAt >= _maxBatchAgeTicks)
                {
                    TryStartWrite(t);
                }
            }

            CollectCommittable();
            TryPush();
        }

        private void OnPush()
        {
            var e = Grab(_stage.In);
            if (!ReferenceEquals(e.Layout, _layout))
            {
                FailStage(new Me3Exception(
                    "The event was decoded with other routing settings than the lake writer's; decode with the same RoutingSettings instance.",
                    source: e.Record.Source, partition: e.Record.Partition, offset: e.Record.Offset));
                return;
            }

            if (_revoked.Count > 0 && _revoked.Contains((e.Record.Source, e.Record.Partition)))
            {
                PullIfRoom(); // revoked: its new owner reads it
                return;
            }

            if (e.Record.Committer is IPartitionOwnership ownership && _subscribed.Add(ownership))
            {
                ownership.Subscribe(_listener);
            }

            var p = StateOf(e.Record);
            var t = e.TableIndex;
            p.LastSeen = Math.Max(p.LastSeen, e.Record.Offset);
            p.Committer = e.Record.Committer ?? p.Committer;
            if (e.Record.Offset <= p.Watermarks[t])
            {
                _skipped[t]++; // replayed after a restart: this table already has it
            }
            else
            {
                var batch = _batches[t] ??= new TableBatch(_layout.Tables[t], _layout.ColumnFields[t], Stopwatch.GetTimestamp());
                if (p.FirstBuffered[t] < 0)
                {
                    p.FirstBuffered[t] = e.Record.Offset;
                }

                batch.Add(e);
                p.Watermarks[t] = e.Record.Offset;
                _bufferedBytes += e.Record.Value.Length;
                if (IsFull(batch))
                {
                    TryStartWrite(t);
                }
            }

            if (_bufferedBytes >= _settings.MaxBufferedBytes)
            {
                WriteLargestBatch();
            }

            PullIfRoom();
        }

        private void OnUpstreamFinish()
        {
            _upstreamDone = true;
            for (var t = 0; t < _batches.Length; t++)
            {
                TryStartWrite(t);
            }

            TryFinish();
        }

        private PartitionState StateOf(SourceRecord r)
        {
            if (_last is not null && _last.Partition == r.Partition && ReferenceEquals(_last.Source, r.Source))
            {
                return _last;
            }

            if (!_partitions.TryGetValue((r.Source, r.Partition), out var state))
            {
                if (!_loaded.ContainsKey(r.Source) || _staleSources.Remove(r.Source))
                {
                    LoadWatermarks(r.Source, r.Committer as IPartitionOwnership);
                }

                // Committing the position reading started from would be a no-op: only later positions are reported.
                state = new PartitionState(r.Source, r.Partition, Enumerable.Repeat(-1L, _batches.Length).ToArray(), _batches.Length)
                {
                    Committed = r.Offset,
                };
                _partitions[(r.Source, r.Partition)] = state;
                var marks = _loaded[r.Source];
                for (var t = 0; t < _batches.Length; t++)
                {
                    state.Watermarks[t] = marks[_layout.Tables[t].Name].GetValueOrDefault(r.Partition, -1);
                }
            }

            return _last = state;
        }

        private void LoadWatermarks(string source, IPartitionOwnership? ownership)
        {
            if (!LakeIdentifier.IsValidSource(source))
            {
                throw new Me3Exception($"Source name '{source}' is not valid: use 1 to 100 of [A-Za-z0-9._-], not starting with '.' or '_'.", source: source);
            }

            try
            {
                // A single reader (a file) owns all its temp files; a consumer-group member only those of partitions
                // it owns now, whose previous owner is gone or fenced.
                Func<int, bool> removeTempsOf = ownership is null ? _ => true : partition => ownership.Owns(source, partition);
                _loaded[source] = LakeRecovery.LoadWatermarks(_settings.Path, _layout.Tables.Select(t => t.Name), source, removeTempsOf);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new Me3Exception($"Cannot read the lake's recovery state at '{_settings.Path}': {e.Message}", e, source: source, file: _settings.Path);
            }
        }

        private bool IsFull(TableBatch b) => b.Count >= _settings.MaxBatchRecords || b.Bytes >= _settings.MaxBatchBytes;

        private void WriteLargestBatch()
        {
            var largest = -1;
            for (var t = 0; t < _batches.Length; t++)
            {
                if (_batches[t] is { Count: > 0 } b && _writing[t] is null && (largest < 0 || b.Bytes > _batches[largest]!.Bytes))
                {
                    largest = t;
                }
            }

            if (largest >= 0)
            {
                TryStartWrite(largest);
            }
        }

        private void PullIfRoom()
        {
            if (_upstreamDone || HasBeenPulled(_stage.In) || _bufferedBytes >= _settings.MaxBufferedBytes)
            {
                return;
            }

            for (var t = 0; t < _batches.Length; t++)
            {
                if (_batches[t] is { } b && IsFull(b))
                {
                    return; // full and waiting for its table's previous write
                }
            }

            Pull(_stage.In);
        }

        private void TryStartWrite(int t)
        {
            // One write per table at a time, in order: a table's files then land in offset order, so its watermark
            // never passes a record that is not yet durable.
            if (_batches[t] is not { Count: > 0 } batch || _writing[t] is not null || _writesInFlight >= _settings.MaxConcurrentWrites)
            {
                return;
            }

            var first = new Dictionary<PartitionState, long>();
            foreach (var p in _partitions.Values)
            {
                if (p.FirstBuffered[t] >= 0)
                {
                    first[p] = p.FirstBuffered[t];
                    p.FirstBuffered[t] = -1;
                }
            }

            _batches[t] = null;
            StartWrite(new Write(t, batch, first));
        }

        private void StartWrite(Write write)
        {
            _writing[write.Table] = write;
            _writesInFlight++;
            var path = _settings.Path;
            var bounds = new RowGroupBounds(_settings.RowGroupRows, _settings.RowGroupBytes);
            var fsync = _settings.Fsync;
            var callback = _onWriteDone;
            var gate = _stage.BeforeWrite;
            var owners = write.FirstOffsets.Keys
                .Where(p => p.Committer is IPartitionOwnership)
                .Select(p => (Ownership: (IPartitionOwnership)p.Committer!, p.Source, p.Partition))
                .ToArray();
            Func<bool> canPublish = () => owners.All(o => o.Ownership.Owns(o.Source, o.Partition));
            _ = Task.Run(async () =>
            {
                try
                {
                    if (gate is not null)
                    {
                        await gate().ConfigureAwait(false);
                    }

                    var started = Stopwatch.GetTimestamp();
                    var files = await BatchFileWriter.WriteAsync(write.Batch, path, bounds, fsync, canPublish, CancellationToken.None).ConfigureAwait(false);
                    Me3Metrics.WriteDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("table", write.Batch.Schema.Name));
                    callback((write, files, null));
                }
                catch (Exception e)
                {
                    callback((write, null, e));
                }
            });
        }

        private void OnWriteDone((Write Write, IReadOnlyList<LandedFile>? Files, Exception? Error) result)
        {
            var write = result.Write;
            _writesInFlight--;
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
                write.Attempt++;
                Log.Warning(failure, "Retrying write of table {0} (attempt {1})", write.Batch.Schema.Name, write.Attempt);
                _retries.Enqueue(write); // the table stays busy: its later batches wait for this one
                ScheduleOnce(RetryTimer, TimeSpan.FromMilliseconds(Math.Min(30_000, 100 * (1 << Math.Min(write.Attempt, 9)))));
                return;
            }

            _writing[write.Table] = null;
            _bufferedBytes -= write.Batch.Bytes;
            write.Batch.Dispose();
            _pendingFiles.AddRange(result.Files!);
            CollectCommittable();

            for (var t = 0; t < _batches.Length; t++)
            {
                if (_batches[t] is { } b && (IsFull(b) || _upstreamDone || _revocations.Count > 0))
                {
                    TryStartWrite(t);
                }
            }

            if (_bufferedBytes >= _settings.MaxBufferedBytes)
            {
                WriteLargestBatch();
            }

            CheckRevocations();
            TryPush();
            PullIfRoom();
            TryFinish();
        }

        private void OnAssigned(IReadOnlyList<(string Source, int Partition)> partitions)
        {
            // Another process may have landed these partitions since we last had them: forget what we knew and
            // read their watermarks from the lake again before their first record.
            foreach (var key in partitions)
            {
                _revoked.Remove(key);
                Forget(key);
                _staleSources.Add(key.Source);
            }
        }

        private void Forget((string Source, int Partition) key)
        {
            if (_partitions.Remove(key, out var state) && ReferenceEquals(state, _last))
            {
                _last = null;
            }
        }

        private void OnRevoked((IReadOnlyList<(string Source, int Partition)> Partitions, TaskCompletionSource<IReadOnlyList<CommittableOffset>> Done) request)
        {
            var keys = request.Partitions.ToHashSet();
            _revoked.UnionWith(keys);
            _revocations.Add((keys, request.Done));
            for (var t = 0; t < _batches.Length; t++)
            {
                TryStartWrite(t); // land everything buffered now; tables already writing follow when they finish
            }

            CheckRevocations();
        }

        private void OnLost(IReadOnlyList<(string Source, int Partition)> partitions)
        {
            // No chance to land: records of these partitions still buffered will be fenced at publish time.
            _revoked.UnionWith(partitions);
        }

        /// <summary>Answers revocations whose partitions have nothing buffered or being written any more.</summary>
        private void CheckRevocations()
        {
            for (var i = _revocations.Count - 1; i >= 0; i--)
            {
                var (keys, done) = _revocations[i];
                var states = keys.Select(k => _partitions.GetValueOrDefault(k)).Where(p => p is not null).Select(p => p!).ToArray();
                var inFlight = states.Any(p => p.FirstBuffered.Any(f => f >= 0) || _writing.Any(w => w is not null && w.FirstOffsets.ContainsKey(p)));
                if (inFlight)
                {
                    continue;
                }

                _revocations.RemoveAt(i);
                var offsets = states
                    .Where(p => p.LastSeen >= 0)
                    .Select(p => new CommittableOffset(p.Source, p.Partition, p.LastSeen + 1, p.Committer))
                    .ToArray();
                foreach (var p in states)
                {
                    Forget((p.Source, p.Partition));
                }

                done.TrySetResult(offsets);
            }
        }

        /// <summary>Receives a committer's partition events on its thread and hands them to the stage.</summary>
        private sealed class Listener(Logic logic) : IPartitionListener
        {
            /// <summary>Set when the stage stopped: it lands nothing more, so there is nothing to wait for.</summary>
            public volatile bool Stopped;

            public void OnAssigned(IReadOnlyList<(string Source, int Partition)> partitions) => logic._onAssigned(partitions);

            public Task<IReadOnlyList<CommittableOffset>> OnRevokedAsync(IReadOnlyList<(string Source, int Partition)> partitions)
            {
                if (Stopped)
                {
                    return Task.FromResult<IReadOnlyList<CommittableOffset>>([]);
                }

                var done = new TaskCompletionSource<IReadOnlyList<CommittableOffset>>(TaskCreationOptions.RunContinuationsAsynchronously);
                logic._onRevoked((partitions, done));
                return done.Task;
            }

            public void OnLost(IReadOnlyList<(string Source, int Partition)> partitions) => logic._onLost(partitions);
        }

        /// <summary>A partition's offset is committable up to its first record that is buffered or being written.</summary>
        private void CollectCommittable()
        {
            foreach (var p in _partitions.Values)
            {
                var safe = p.LastSeen + 1;
                for (var t = 0; t < _batches.Length; t++)
                {
                    if (p.FirstBuffered[t] >= 0)
                    {
                        safe = Math.Min(safe, p.FirstBuffered[t]);
                    }

                    if (_writing[t] is { } w && w.FirstOffsets.TryGetValue(p, out var first))
                    {
                        safe = Math.Min(safe, first);
                    }
                }

                if (safe > p.Committed)
                {
                    p.Committed = safe;
                    _pendingOffsets[p] = new CommittableOffset(p.Source, p.Partition, safe, p.Committer);
                }
            }
        }

        private void TryPush()
        {
            if (!IsAvailable(_stage.Out) || _finalPushed)
            {
                return;
            }

            var final = _upstreamDone && _writesInFlight == 0 && _retries.Count == 0 && _batches.All(b => b is null or { Count: 0 });
            if (_pendingFiles.Count == 0 && _pendingOffsets.Count == 0 && !final)
            {
                return;
            }

            var skipped = new Dictionary<string, long>(StringComparer.Ordinal);
            for (var t = 0; t < _skipped.Length; t++)
            {
                if (_skipped[t] > 0)
                {
                    skipped[_layout.Tables[t].Name] = _skipped[t];
                    _skipped[t] = 0;
                }
            }

            Push(_stage.Out, new LakeCheckpoint([.. _pendingFiles], [.. _pendingOffsets.Values], skipped, final));
            _pendingFiles.Clear();
            _pendingOffsets.Clear();
            if (final)
            {
                _finalPushed = true;
                CompleteStage();
            }
        }

        private void TryFinish()
        {
            if (_upstreamDone && _writesInFlight == 0 && _retries.Count == 0 && _batches.All(b => b is null or { Count: 0 }))
            {
                CollectCommittable();
                TryPush();
            }
        }
    }
}
