using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using Akka.Streams.Supervision;
using Me3.Streams.Events;
using Me3.Streams.Settings;

namespace Me3.Streams.Kafka;

/// <summary>
/// Consumes a consumer group's topics and emits each record with its committer (see
/// <see cref="Dsl.Me3Source.KafkaCommittable"/> for the contract). What a consume error does is decided by the
/// supervision strategy in the stage's attributes, as Akka's stages do. Its own attributes carry
/// <see cref="KafkaConsumerSettings.Decider"/> (or <see cref="KafkaSupervision.DefaultDecider"/>): more specific than
/// the materializer's default (stop on every error) and than a strategy set on an enclosing graph, less specific than
/// one set on the source itself, which therefore wins.
/// </summary>
internal sealed class KafkaCommittableSource : GraphStageWithMaterializedValue<SourceShape<RecordBlock>, IKafkaControl>
{
    private readonly KafkaConsumerSettings _settings;

    public KafkaCommittableSource(KafkaConsumerSettings settings)
    {
        _settings = settings;
        Shape = new SourceShape<RecordBlock>(Out);
        InitialAttributes = Attributes.CreateName("kafkaCommittableSource")
            .And(ActorAttributes.CreateSupervisionStrategy(settings.Decider ?? KafkaSupervision.DefaultDecider));
    }

    public Outlet<RecordBlock> Out { get; } = new("KafkaCommittableSource.out");

    public override SourceShape<RecordBlock> Shape { get; }

    protected override Attributes InitialAttributes { get; }

    public override ILogicAndMaterializedValue<IKafkaControl> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var decider = inheritedAttributes.GetAttribute(new ActorAttributes.SupervisionStrategy(KafkaSupervision.DefaultDecider)).Decider;
        var logic = new Logic(this, decider);
        return new LogicAndMaterializedValue<IKafkaControl>(logic, logic.Control);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A stage logic releases its resources in PostStop, which Akka always calls.")]
    private sealed class Logic : GraphStageLogic
    {
        private readonly KafkaCommittableSource _stage;
        private readonly Decider _decider;
        private readonly Queue<RecordBlock> _buffer = new();
        private int _bufferedRecords;
        private KafkaConsumerWorker? _worker;
        private bool _stopRequested;

        public Logic(KafkaCommittableSource stage, Decider decider)
            : base(stage.Shape)
        {
            _stage = stage;
            _decider = decider;
            Control = new KafkaControl();
            SetHandler(stage.Out, onPull: Deliver, onDownstreamFinish: _ => CompleteStage());
        }

        public KafkaControl Control { get; }

        public override void PreStart()
        {
            var onRecords = GetAsyncCallback<RecordBlock>(Enqueue);
            var onRevoked = GetAsyncCallback<IReadOnlyList<(string, int)>>(Drop);
            var onFailure = GetAsyncCallback<Exception>(e => FailStage(e));
            var onWarning = GetAsyncCallback<string>(message => Log.Warning(message));
            var onStop = GetAsyncCallback(() =>
            {
                _stopRequested = true;
                Release(_bufferedRecords);
                _buffer.Clear();
                _bufferedRecords = 0;
                CompleteStage();
            });
            // A consumer closed by a shutdown (not a stop) reads nothing more: the source completes. What it held is
            // dropped, not committed: the next start reads it again. A failure has failed the stage first.
            var onClosed = GetAsyncCallback(() =>
            {
                _buffer.Clear();
                _bufferedRecords = 0;
                CompleteStage();
            });
            try
            {
                _worker = new KafkaConsumerWorker(_stage._settings, _decider, onRecords, onRevoked, onFailure, onWarning);
                _worker.Start();
                Control.Started(onStop, _worker);
                _worker.Closed.ContinueWith(_ => onClosed(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            catch (Exception e) when (e is Confluent.Kafka.KafkaException or ArgumentException)
            {
                _worker = null;
                Control.Started(onStop, null);
                FailStage(new Me3Exception($"Cannot start the Kafka consumer for {string.Join(", ", _stage._settings.Topics)} at {_stage._settings.BootstrapServers}: {e.Message}", e));
            }
        }

        public override void PostStop()
        {
            // Stopped through the control: keep the consumer open so in-flight records can still be committed;
            // DrainAndShutdown closes it. Otherwise (cancelled, failed) close it now.
            if (!_stopRequested)
            {
                _ = _worker?.CloseAsync();
            }

            Control.SourceStopped();
        }

        private void Enqueue(RecordBlock records)
        {
            // Records of a partition revoked later are removed by Drop; any that still reach the lake writer are
            // dropped there.
            _buffer.Enqueue(records);
            _bufferedRecords += records.Count;
            Deliver();
        }

        private void Deliver()
        {
            if (IsAvailable(_stage.Out) && _buffer.TryDequeue(out var block))
            {
                Push(_stage.Out, block);
                _bufferedRecords -= block.Count;
                Release(block.Count);
            }
        }

        private void Drop(IReadOnlyList<(string, int)> partitions)
        {
            var gone = partitions.ToHashSet();
            var before = _bufferedRecords;
            var kept = _buffer.Select(b => b.Where((source, partition) => !gone.Contains((source, partition)))).Where(b => b.Count > 0).ToArray();
            _buffer.Clear();
            foreach (var b in kept)
            {
                _buffer.Enqueue(b);
            }

            _bufferedRecords = kept.Sum(b => b.Count);
            Release(before - _bufferedRecords);
        }

        private void Release(int records)
        {
            if (records > 0)
            {
                _worker?.Released(records);
            }
        }
    }

    private sealed class KafkaControl : IKafkaControl
    {
        private readonly TaskCompletionSource _sourceStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Materialization hands out the control before the stage's PreStart has run: calls wait for it.
        private readonly TaskCompletionSource<KafkaConsumerWorker?> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lazy<Task> _joined;
        private Action? _stop;

        public KafkaControl() => _joined = new(JoinedAsync);

        public Task Stopped => _started.Task.IsCompletedSuccessfully && _started.Task.Result is { } worker
            ? worker.Closed
            : AfterStartAsync(w => w?.Closed ?? _sourceStopped.Task);

        public Task Joined => _joined.Value;

        public string? LastWarning => _started.Task.IsCompletedSuccessfully ? _started.Task.Result?.LastWarning : null;

        public IReadOnlyCollection<Confluent.Kafka.TopicPartition> Assignment =>
            _started.Task.IsCompletedSuccessfully && _started.Task.Result is { } worker ? worker.Assignment : [];

        public void Started(Action stop, KafkaConsumerWorker? worker)
        {
            _stop = stop;
            _started.TrySetResult(worker);
        }

        public void SourceStopped()
        {
            _started.TrySetResult(null);
            _sourceStopped.TrySetResult();
        }

        public async Task StopAsync()
        {
            await _started.Task.ConfigureAwait(false);
            _stop?.Invoke();
            await _sourceStopped.Task.ConfigureAwait(false);
        }

        public Task ShutdownAsync() => AfterStartAsync(w => w?.CloseAsync() ?? Task.CompletedTask);

        public Task CatchUpAsync(CancellationToken cancellationToken) =>
            AfterStartAsync(w => w is null
                ? Task.FromException(new Me3Exception("The Kafka source has stopped; it cannot catch up."))
                : w.CatchUpAsync(cancellationToken));

        public async Task DrainAndShutdownAsync(Task streamCompletion, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(streamCompletion);
            var worker = await _started.Task.ConfigureAwait(false);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(worker?.StopTimeout ?? TimeSpan.Zero);
            var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var onExpiry = deadline.Token.Register(() => expired.TrySetResult());
            await Task.WhenAny(StopAsync(), expired.Task).ConfigureAwait(false);
            await Task.WhenAny(streamCompletion, expired.Task).ConfigureAwait(false);
            await Task.WhenAny(ShutdownAsync(), expired.Task).ConfigureAwait(false);
        }

        private async Task JoinedAsync()
        {
            var worker = await _started.Task.ConfigureAwait(false)
                ?? throw new Me3Exception("The Kafka source stopped before it joined its group.");
            await Task.WhenAny(worker.Joined, worker.Closed).ConfigureAwait(false);
            if (!worker.Joined.IsCompleted)
            {
                throw new Me3Exception($"The Kafka consumer closed before it joined its group{(worker.LastWarning is { } last ? ": " + last : ".")}");
            }
        }

        private async Task AfterStartAsync(Func<KafkaConsumerWorker?, Task> action) =>
            await action(await _started.Task.ConfigureAwait(false)).ConfigureAwait(false);
    }
}
