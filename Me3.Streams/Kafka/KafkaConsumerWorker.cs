using System.Collections.Concurrent;
using Confluent.Kafka;
using Me3.Streams.Events;
using Me3.Streams.Settings;

namespace Me3.Streams.Kafka;

/// <summary>
/// Owns one Kafka consumer on a dedicated thread: every call to the consumer (poll, pause, resume, commit, close)
/// happens there, because a Confluent consumer is not thread-safe. Hands records to the source stage in small
/// batches, pauses all assigned partitions while the stage holds <see cref="KafkaConsumerSettings.MaxBufferedRecords"/>
/// (records that still arrive are kept), and runs rebalances synchronously in librdkafka's callbacks.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The slim event never allocates a kernel handle (WaitHandle is not used); disposing it would race with the stage's late Released calls.")]
internal sealed class KafkaConsumerWorker : IOffsetCommitter, IPartitionOwnership
{
    private const int MaxBatch = 512;

    private readonly KafkaConsumerSettings _settings;
    private readonly Akka.Streams.Supervision.Decider _decider;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly ConcurrentDictionary<(string, int), bool> _owned = new();
    private readonly ConcurrentDictionary<(string, int), long> _ends = new();
    /// <summary>The subscribed listeners, each with what completes when it unsubscribes (a revocation waiting on it
    /// stops waiting then).</summary>
    private readonly Dictionary<IPartitionListener, TaskCompletionSource> _listeners = [];
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _room = new(initialState: true);
    private long _buffered;
    private long _fullSince;
    private int _failures;
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RateLimitedLog _warnings;
    private volatile bool _closing;
    private bool _paused;
    private CatchUp? _catchUp;

    public KafkaConsumerWorker(
        KafkaConsumerSettings settings,
        Akka.Streams.Supervision.Decider decider,
        Action<RecordBlock> onRecords,
        Action<IReadOnlyList<(string, int)>> onRevoked,
        Action<Exception> onFailure,
        Action<string> onWarning)
    {
        _settings = settings;
        _decider = decider;
        OnRecords = onRecords;
        OnFailure = onFailure;
        _warnings = new RateLimitedLog(onWarning);
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(settings.ToConsumerConfig())
            .SetErrorHandler((_, e) =>
            {
                if (e.IsFatal)
                {
                    OnFailure(new Me3Exception($"Kafka consumer failed fatally: {e.Reason} ({e.Code})."));
                    return;
                }

                // Other errors (broker down, leader change) are retried by librdkafka with backoff: say so, rarely.
                _warnings.Warn($"Kafka at {settings.BootstrapServers}: {e.Reason} ({e.Code}); retrying");
            })
            .SetLogHandler((_, m) =>
            {
                // librdkafka's own log lines would otherwise go to stderr, many a second while a broker is away.
                if (m.Level <= SyslogLevel.Warning)
                {
                    _warnings.Warn($"Kafka at {settings.BootstrapServers}: {m.Facility}: {m.Message}");
                }
            })
            .SetPartitionsAssignedHandler((_, partitions) => Assigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => Revoked(partitions, onRevoked))
            .SetPartitionsLostHandler((_, partitions) => Lost(partitions, onRevoked))
            .Build();
        _thread = new Thread(Run) { IsBackground = true, Name = "me3-kafka-consumer" };
    }

    public Action<RecordBlock> OnRecords { get; }

    public Action<Exception> OnFailure { get; }

    public TimeSpan StopTimeout => _settings.StopTimeout;

    /// <summary>Completes when the consumer is closed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Completes when the consumer first joined its group (its first assignment, possibly empty).</summary>
    public Task Joined => _joined.Task;

    /// <summary>The last trouble librdkafka reported, if any.</summary>
    public string? LastWarning => _warnings.Last;

    public void Start()
    {
        _consumer.Subscribe(_settings.Topics);
        _thread.Start();
    }

    /// <summary>The stage emitted (or dropped) this many records.</summary>
    public void Released(int records)
    {
        if (Interlocked.Add(ref _buffered, -records) < _settings.MaxBufferedRecords)
        {
            _room.Set();
        }
    }

    public bool Owns(string source, int partition) => _owned.ContainsKey((source, partition));

    /// <summary>The partition's high watermark from the fetch that brought its latest records (set before they are
    /// handed on), if any came since it was assigned.</summary>
    public long? EndOffset(string source, int partition) => _ends.TryGetValue((source, partition), out var end) ? end : null;

    /// <summary>The partitions assigned to this consumer now.</summary>
    public IReadOnlyCollection<TopicPartition> Assignment => [.. _owned.Keys.Select(k => new TopicPartition(k.Item1, k.Item2))];

    /// <summary>
    /// Completes when every record the subscribed topics held when this was called has been read and handed on by
    /// the stage (emitted), in every partition of those topics: what the group had committed already counts as read.
    /// Meant for a group with a single member (the embedded broker), which is assigned every partition.
    /// </summary>
    public Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_closing)
        {
            done.SetException(new Me3Exception("The Kafka consumer is closed; it cannot catch up."));
            return done.Task;
        }

        var registration = cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
        _ = done.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        _commands.Enqueue(() => StartCatchUp(done));
        return done.Task;
    }

    public void Subscribe(IPartitionListener listener)
    {
        lock (_listeners)
        {
            _listeners[listener] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Unsubscribe(IPartitionListener listener)
    {
        lock (_listeners)
        {
            if (_listeners.Remove(listener, out var gone))
            {
                gone.TrySetResult(); // a revocation waiting on it has nothing more to wait for
            }
        }
    }

    /// <summary>Commits positions of partitions this consumer still owns; others are skipped (their new owner
    /// recovers from the lake).</summary>
    public Task CommitAsync(IReadOnlyList<CommittableOffset> offsets, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_closing)
        {
            done.SetException(new Me3Exception("The Kafka consumer is closed; the positions were not committed (the records will be read again and skipped)."));
            return done.Task;
        }

        var attempt = 0;
        void Commit()
        {
            try
            {
                CommitNow(offsets);
                done.TrySetResult();
            }
            catch (KafkaException e) when (KafkaSupervision.IsRetriable(e.Error.Code))
            {
                // A coordinator moving or briefly away: try again with backoff, off the consumer thread's back. Past a
                // few tries, or after a rebalance, a later commit (or the revocation's) supersedes this one; replayed
                // records are skipped anyway.
                if (++attempt > MaxCommitRetries || _closing || e.Error.Code is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId)
                {
                    if (attempt > MaxCommitRetries)
                    {
                        _warnings.Warn($"Kafka at {_settings.BootstrapServers}: committing offsets failed {attempt} times ({e.Error.Reason}); a later commit supersedes them");
                    }

                    done.TrySetResult();
                    return;
                }

                var backoff = Backoff.Exponential(attempt, baseMs: 200, maxMs: 5_000);
                _ = Task.Delay(backoff, CancellationToken.None).ContinueWith(_ => _commands.Enqueue(Commit), TaskScheduler.Default);
            }
            catch (KafkaException e)
            {
                done.TrySetException(new Me3Exception($"Committing offsets failed: {e.Error.Reason} ({e.Error.Code}).", e));
            }
        }

        _commands.Enqueue(Commit);
        return done.Task;
    }

    /// <summary>How often a commit that failed on a transient error is tried again.</summary>
    private const int MaxCommitRetries = 5;

    /// <summary>Leaves the group and closes the consumer, on its thread.</summary>
    public Task CloseAsync()
    {
        _closing = true;
        _room.Set();
        return _closed.Task;
    }

    private void Run()
    {
        try
        {
            var batch = new List<RecordBlock.Entry>(MaxBatch);
            while (!_closing)
            {
                while (_commands.TryDequeue(out var command))
                {
                    command();
                }

                CheckCatchUp();
                if (WaitForRoom())
                {
                    continue;
                }

                var result = ConsumeSupervised(_settings.PollTimeout);
                while (result is not null)
                {
                    var m = result.Message;
                    batch.Add(new RecordBlock.Entry(result.Topic, result.Partition.Value, result.Offset.Value,
                        m.Timestamp.UtcDateTime, m.Value ?? []));
                    if (batch.Count == MaxBatch)
                    {
                        break;
                    }

                    result = ConsumeSupervised(TimeSpan.Zero);
                }

                if (batch.Count > 0)
                {
                    RecordLag(batch);
                    Interlocked.Add(ref _buffered, batch.Count);
                    OnRecords(new RecordBlock([.. batch], batch.Count, this));
                    batch.Clear();
                }
            }

            while (_commands.TryDequeue(out var command))
            {
                command(); // last commits before leaving the group
            }

            _catchUp?.Done.TrySetException(new Me3Exception("The Kafka consumer closed before it caught up."));
            _consumer.Close();
        }
#pragma warning disable CA1031 // The thread's boundary: whatever ends the loop must reach the stream, or it would hang.
        catch (Exception e)
#pragma warning restore CA1031
        {
            OnFailure(e as Me3Exception ?? new Me3Exception($"Kafka consumer failed: {e.Message}", e));
        }
        finally
        {
            _catchUp?.Done.TrySetException(new Me3Exception("The Kafka consumer stopped before it caught up."));
            _consumer.Dispose();
            _closed.TrySetResult();
        }
    }

    /// <summary>Consumes, letting the decider choose between failing and retrying with backoff.</summary>
    private ConsumeResult<byte[]?, byte[]?>? ConsumeSupervised(TimeSpan timeout)
    {
        try
        {
            var result = _consumer.Consume(timeout);
            _failures = 0;
            return result;
        }
        catch (ConsumeException e)
        {
            if (_decider(e) == Akka.Streams.Supervision.Directive.Stop)
            {
                throw new Me3Exception($"Kafka consume failed: {e.Error.Reason} ({e.Error.Code}).", e,
                    source: e.ConsumerRecord?.Topic, partition: e.ConsumerRecord?.Partition.Value, offset: e.ConsumerRecord?.Offset.Value);
            }

            // Resumed: back off (100 ms doubling to 5 s) and poll again; nothing was consumed, nothing is lost.
            _warnings.Warn($"Kafka at {_settings.BootstrapServers}: consuming failed: {e.Error.Reason} ({e.Error.Code}); retrying");
            _failures++;
            Thread.Sleep(Backoff.Exponential(_failures, baseMs: 100, maxMs: 5_000));
            return null;
        }
    }

    /// <summary>
    /// Backpressure. While the stage holds <see cref="KafkaConsumerSettings.MaxBufferedRecords"/>, stop polling and
    /// wait for room: librdkafka's own bounded prefetch queue holds what was fetched, and nothing is dropped. Pausing
    /// would purge that queue and fetch it all again, which costs half the throughput when the sink is merely the
    /// slower side. Only a stall past <see cref="PauseAfter"/> (a sink that stopped) pauses the partitions, so that
    /// polling can go on serving rebalances; records that still arrive are kept. Returns true to poll later.
    /// </summary>
    private bool WaitForRoom()
    {
        var buffered = Interlocked.Read(ref _buffered);
        if (buffered < _settings.MaxBufferedRecords)
        {
            _fullSince = 0;
            if (_paused && buffered <= _settings.MaxBufferedRecords / 2)
            {
                _consumer.Resume(_consumer.Assignment);
                _paused = false;
                Me3Metrics.SetPaused(_settings.GroupId, _owned.Keys, paused: false);
            }

            return false;
        }

        if (_paused)
        {
            return false; // paused: poll for group duties; nothing new is fetched
        }

        _room.Reset();
        var now = Environment.TickCount64;
        if (_fullSince == 0)
        {
            _fullSince = now;
        }

        if (now - _fullSince < PauseAfter.TotalMilliseconds)
        {
            if (Interlocked.Read(ref _buffered) >= _settings.MaxBufferedRecords)
            {
                _room.Wait(_settings.PollTimeout);
            }

            return true;
        }

        _consumer.Pause(_consumer.Assignment);
        _paused = true;
        Me3Metrics.SetPaused(_settings.GroupId, _owned.Keys, paused: true);
        return false;
    }

    private static TimeSpan PauseAfter => TimeSpan.FromSeconds(1);

    /// <summary>How long one metadata or watermark query of a catch-up may take.</summary>
    private static TimeSpan QueryTimeout => TimeSpan.FromSeconds(5);

    /// <summary>Reads every partition's end and what the group committed; the partitions still behind are the target.</summary>
    private void StartCatchUp(TaskCompletionSource done)
    {
        if (done.Task.IsCompleted)
        {
            return;
        }

        try
        {
            using var admin = new DependentAdminClientBuilder(_consumer.Handle).Build();
            var partitions = _settings.Topics
                .SelectMany(topic => admin.GetMetadata(topic, QueryTimeout).Topics
                    .Where(t => t.Error.Code == ErrorCode.NoError)
                    .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId))))
                .ToList();
            var committed = _consumer.Committed(partitions, QueryTimeout).ToDictionary(c => c.TopicPartition, c => c.Offset.Value);
            var behind = new Dictionary<TopicPartition, long>();
            foreach (var partition in partitions)
            {
                var ends = _consumer.QueryWatermarkOffsets(partition, QueryTimeout);
                if (ends.High.Value > ends.Low.Value && committed.GetValueOrDefault(partition, Offset.Unset.Value) < ends.High.Value)
                {
                    behind[partition] = ends.High.Value;
                }
            }

            _catchUp?.Done.TrySetCanceled(); // a newer request supersedes it
            _catchUp = new CatchUp(behind, done);
            CheckCatchUp();
        }
        catch (KafkaException e)
        {
            done.TrySetException(new Me3Exception($"Cannot read where the partitions end: {e.Error.Reason} ({e.Error.Code}).", e));
        }
    }

    /// <summary>Done when every target partition's position reached its end and the stage emitted everything.</summary>
    private void CheckCatchUp()
    {
        if (_catchUp is not { } catchUp)
        {
            return;
        }

        if (catchUp.Done.Task.IsCompleted)
        {
            _catchUp = null;
            return;
        }

        foreach (var (partition, end) in catchUp.Behind.ToArray())
        {
            if (_owned.ContainsKey((partition.Topic, partition.Partition.Value)) && _consumer.Position(partition).Value >= end)
            {
                catchUp.Behind.Remove(partition);
            }
        }

        if (catchUp.Behind.Count == 0 && Interlocked.Read(ref _buffered) == 0)
        {
            _catchUp = null;
            catchUp.Done.TrySetResult();
        }
    }

    private void CommitNow(IReadOnlyList<CommittableOffset> offsets)
    {
        var owned = offsets
            .Where(o => _owned.ContainsKey((o.Source, o.Partition)))
            .Select(o => new TopicPartitionOffset(o.Source, o.Partition, o.NextOffset))
            .ToList();
        if (owned.Count > 0)
        {
            _consumer.Commit(owned);
        }
    }

    /// <summary>Lag from the watermarks librdkafka cached with its last fetch: no broker round trip.</summary>
    private void RecordLag(List<RecordBlock.Entry> batch)
    {
        Me3Metrics.RecordsConsumed.Add(batch.Count);
        foreach (var records in batch.GroupBy(r => (r.Source, r.Partition)))
        {
            var (first, last) = (records.First(), records.Last());
            var high = _consumer.GetWatermarkOffsets(new TopicPartition(last.Source, last.Partition)).High;
            if (high != Offset.Unset)
            {
                _ends[(last.Source, last.Partition)] = high.Value;
                Me3Metrics.SetLag(_settings.GroupId, last.Source, last.Partition, Math.Max(0, high.Value - last.Offset - 1));
                Me3Metrics.Fetched(last.Source, last.Partition, first.Offset, high.Value);
            }
        }
    }

    private KeyValuePair<IPartitionListener, TaskCompletionSource>[] Listeners()
    {
        lock (_listeners)
        {
            return [.. _listeners];
        }
    }

    private void Assigned(List<TopicPartition> partitions)
    {
        _joined.TrySetResult();
        var list = partitions.Select(p => (p.Topic, p.Partition.Value)).ToArray();
        foreach (var p in list)
        {
            _owned[p] = true;
        }

        foreach (var (listener, _) in Listeners())
        {
            listener.OnAssigned(list);
        }

        if (_paused)
        {
            _paused = false; // the new assignment starts unpaused; backpressure re-applies on the next poll
        }

        Me3Metrics.SetPaused(_settings.GroupId, _owned.Keys, paused: false);
    }

    private void Revoked(List<TopicPartitionOffset> partitions, Action<IReadOnlyList<(string, int)>> onRevoked)
    {
        var list = partitions.Select(p => (p.Topic, p.Partition.Value)).ToArray();
        onRevoked(list); // the stage drops what it has not emitted: the new owner reads it
        var offsets = new List<CommittableOffset>();
        foreach (var (listener, gone) in Listeners())
        {
            var landing = listener.OnRevokedAsync(list);

            // A writer that stops meanwhile lands nothing more: its unsubscribing ends the wait, not the timeout.
            var first = Task.WaitAny([landing, gone.Task], _settings.RevokeTimeout);
            if (first != 0)
            {
                // Timed out (fence instead: the writer will not publish files of partitions we no longer own), or the
                // writer is gone.
                continue;
            }

            offsets.AddRange(landing.Result);
        }

        try
        {
            CommitNow(offsets);
        }
        catch (KafkaException)
        {
            // The new owner re-reads from the last commit and skips what the lake has.
        }

        foreach (var p in list)
        {
            _owned.TryRemove(p, out _);
            _ends.TryRemove(p, out _);
            Me3Metrics.ForgetLag(_settings.GroupId, p.Topic, p.Value);
        }
    }

    private void Lost(List<TopicPartitionOffset> partitions, Action<IReadOnlyList<(string, int)>> onRevoked)
    {
        var list = partitions.Select(p => (p.Topic, p.Partition.Value)).ToArray();
        foreach (var p in list)
        {
            _owned.TryRemove(p, out _);
            _ends.TryRemove(p, out _);
        }

        onRevoked(list);
        foreach (var (listener, _) in Listeners())
        {
            listener.OnLost(list);
        }
    }

    /// <summary>A catch-up in progress: per partition still behind, the end it must reach.</summary>
    private sealed record CatchUp(Dictionary<TopicPartition, long> Behind, TaskCompletionSource Done);
}
