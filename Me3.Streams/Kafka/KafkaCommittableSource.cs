using Akka.Streams;
using Akka.Streams.Stage;
using Me3.Streams.Events;
using Me3.Streams.Settings;

namespace Me3.Streams.Kafka;

/// <summary>
/// Consumes a consumer group's topics and emits each record with its committer (see
/// <see cref="Dsl.Me3Source.KafkaCommittable"/> for the contract).
/// </summary>
internal sealed class KafkaCommittableSource : GraphStageWithMaterializedValue<SourceShape<SourceRecord>, IKafkaControl>
{
    private readonly KafkaConsumerSettings _settings;

    public KafkaCommittableSource(KafkaConsumerSettings settings)
    {
        _settings = settings;
        Shape = new SourceShape<SourceRecord>(Out);
    }

    public Outlet<SourceRecord> Out { get; } = new("KafkaCommittableSource.out");

    public override SourceShape<SourceRecord> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kafkaCommittableSource");

    public override ILogicAndMaterializedValue<IKafkaControl> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var logic = new Logic(this);
        return new LogicAndMaterializedValue<IKafkaControl>(logic, logic.Control);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A stage logic releases its resources in PostStop, which Akka always calls.")]
    private sealed class Logic : GraphStageLogic
    {
        private readonly KafkaCommittableSource _stage;
        private readonly Queue<SourceRecord> _buffer = new();
        private KafkaConsumerWorker? _worker;
        private bool _stopRequested;

        public Logic(KafkaCommittableSource stage)
            : base(stage.Shape)
        {
            _stage = stage;
            Control = new KafkaControl();
            SetHandler(stage.Out, onPull: Deliver, onDownstreamFinish: _ => CompleteStage());
        }

        public KafkaControl Control { get; }

        public override void PreStart()
        {
            var onRecords = GetAsyncCallback<IReadOnlyList<SourceRecord>>(Enqueue);
            var onRevoked = GetAsyncCallback<IReadOnlyList<(string, int)>>(Drop);
            var onFailure = GetAsyncCallback<Exception>(e => FailStage(e));
            var onStop = GetAsyncCallback(() =>
            {
                _stopRequested = true;
                Release(_buffer.Count);
                _buffer.Clear();
                CompleteStage();
            });
            Control.Bind(onStop);
            try
            {
                _worker = new KafkaConsumerWorker(_stage._settings, onRecords, onRevoked, onFailure);
                Control.Worker = _worker;
                _worker.Start();
            }
            catch (Exception e) when (e is Confluent.Kafka.KafkaException or ArgumentException)
            {
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

        private void Enqueue(IReadOnlyList<SourceRecord> records)
        {
            // Records of a partition revoked later are removed by Drop; any that still reach the lake writer are
            // dropped there.
            foreach (var r in records)
            {
                _buffer.Enqueue(r);
            }

            Deliver();
        }

        private void Deliver()
        {
            if (IsAvailable(_stage.Out) && _buffer.TryDequeue(out var record))
            {
                Push(_stage.Out, record);
                Release(1);
            }
        }

        private void Drop(IReadOnlyList<(string, int)> partitions)
        {
            var gone = partitions.ToHashSet();
            var before = _buffer.Count;
            var kept = _buffer.Where(r => !gone.Contains((r.Source, r.Partition))).ToArray();
            _buffer.Clear();
            foreach (var r in kept)
            {
                _buffer.Enqueue(r);
            }

            Release(before - kept.Length);
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
        private Action? _stop;

        public KafkaConsumerWorker? Worker { get; set; }

        public Task Stopped => Worker?.Closed ?? _sourceStopped.Task;

        public void Bind(Action stop) => _stop = stop;

        public void SourceStopped() => _sourceStopped.TrySetResult();

        public Task StopAsync()
        {
            _stop?.Invoke();
            return _sourceStopped.Task;
        }

        public Task ShutdownAsync() => Worker?.CloseAsync() ?? Task.CompletedTask;

        public async Task DrainAndShutdownAsync(Task streamCompletion)
        {
            ArgumentNullException.ThrowIfNull(streamCompletion);
            await StopAsync().ConfigureAwait(false);
            await Task.WhenAny(streamCompletion, Task.Delay(Worker?.StopTimeout ?? TimeSpan.Zero)).ConfigureAwait(false);
            await ShutdownAsync().ConfigureAwait(false);
        }
    }
}
