using Akka.Streams;
using Akka.Streams.Stage;
using Me3.Streams.Lake;

namespace Me3.Streams.Dsl;

/// <summary>
/// Sums checkpoints into an <see cref="IngestSummary"/> and counts landed rows and files as they come, so that a
/// running graph's progress can be read while it runs. Never backpressures.
/// </summary>
internal sealed class SummarySink : GraphStageWithMaterializedValue<SinkShape<LakeCheckpoint>, IngestProgress>
{
    public SummarySink() => Shape = new SinkShape<LakeCheckpoint>(In);

    public Inlet<LakeCheckpoint> In { get; } = new("SummarySink.in");

    public override SinkShape<LakeCheckpoint> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("ingestSummary");

    public override ILogicAndMaterializedValue<IngestProgress> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var progress = new IngestProgress();
        return new LogicAndMaterializedValue<IngestProgress>(new Logic(this, progress), progress);
    }

    private sealed class Logic : InGraphStageLogic
    {
        private readonly SummarySink _stage;
        private readonly IngestProgress _progress;

        public Logic(SummarySink stage, IngestProgress progress)
            : base(stage.Shape)
        {
            _stage = stage;
            _progress = progress;
            SetHandler(stage.In, this);
        }

        public override void PreStart() => Pull(_stage.In);

        public override void OnPush()
        {
            _progress.Add(Grab(_stage.In));
            Pull(_stage.In);
        }

        public override void OnUpstreamFinish()
        {
            _progress.Complete();
            CompleteStage();
        }

        public override void OnUpstreamFailure(Exception e)
        {
            _progress.Fail(e);
            FailStage(e);
        }

        public override void PostStop() => _progress.Fail(new AbruptStageTerminationException(this));
    }
}

/// <summary>A summary that fills up while the graph runs; thread-safe to read.</summary>
internal sealed class IngestProgress
{
    private readonly IngestSummary _summary = new();
    private readonly TaskCompletionSource<IngestSummary> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _rows;
    private long _files;

    public long RowsLanded => Interlocked.Read(ref _rows);

    public long FilesLanded => Interlocked.Read(ref _files);

    public Task<IngestSummary> Completion => _done.Task;

    public void Add(LakeCheckpoint checkpoint)
    {
        _summary.Add(checkpoint); // only the stage writes it; readers get it once complete
        Interlocked.Add(ref _rows, checkpoint.Files.Sum(f => (long)f.Rows));
        Interlocked.Add(ref _files, checkpoint.Files.Count);
    }

    public void Complete() => _done.TrySetResult(_summary);

    public void Fail(Exception e) => _done.TrySetException(e);
}
