using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Implementation;
using Akka.Streams.TestKit;
using Akka.TestKit;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Streams.Settings;

namespace Me3.Tests.Support;

/// <summary>Base for stream specs that land records in a temporary lake.</summary>
public abstract class LakeSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    /// <summary>How long a stream spec may take: generous, as the machine is shared; a spec that hangs fails.</summary>
    private static readonly TimeSpan SpecTimeout = TimeSpan.FromSeconds(90);

    protected LakeSpec()
    {
        Materializer = Sys.Materializer();
    }

    protected TempLake Temp { get; } = new();

    protected IMaterializer Materializer { get; }

    protected LakeSettings Settings(int batchRecords = 1000) =>
        new LakeSettings(Temp.Lake).WithBatchBounds(batchRecords, 8L << 20, TimeSpan.FromSeconds(30));

    protected Task<IngestSummary> IngestAsync(Source<RecordBlock, NotUsed> source, LakeSettings settings) =>
        source.Via(Me3Flow.Ingest(settings)).RunWith(Me3Sink.Summary(), Materializer);

    protected Task<IngestSummary> IngestAsync(IEnumerable<SourceRecord> records, LakeSettings settings) =>
        IngestAsync(Source.From(records).Via(Me3Flow.Blocks()), settings);

    /// <summary>The lake writer between a probe that feeds it blocks and a probe that reads its checkpoints, decoding
    /// on one thread; lands with <see cref="FileBatchLander"/> unless a lander is given.</summary>
    private protected (TestPublisher.Probe<RecordBlock> Upstream, TestSubscriber.Probe<LakeCheckpoint> Downstream) RunWriter(
        LakeSettings settings, IBatchLander? lander = null, IMaterializer? materializer = null) =>
        this.SourceProbe<RecordBlock>()
            .Via(LakeIngest.Flow(settings, lander ?? new FileBatchLander(settings), decodeParallelism: 1))
            .ToMaterialized(this.SinkProbe<LakeCheckpoint>(), Keep.Both)
            .Run(materializer ?? Materializer);

    /// <summary>Lands records to set a spec up, as <see cref="IngestAsync(Source{RecordBlock, NotUsed}, LakeSettings)"/>
    /// under <see cref="StreamSpecAsync{T}"/>: the ingestion has stopped when it returns.</summary>
    protected Task<IngestSummary> SeedLakeAsync(Source<RecordBlock, NotUsed> source, LakeSettings settings) =>
        StreamSpecAsync(() => IngestAsync(source, settings));

    /// <summary>
    /// Runs a stream spec inside Akka.Streams.TestKit's <c>AssertAllStagesStoppedAsync</c> and fails it when a stream
    /// it ran on <paramref name="materializer"/> (default <see cref="Materializer"/>) is still running once it ends.
    /// The TestKit's check (1.5.73) stops the materializer's stream actors before it counts them, so alone it passes
    /// a spec that leaves a stage running; it still bounds the spec's time and stops what is left.
    /// </summary>
    protected Task StreamSpecAsync(Func<Task> spec, IMaterializer? materializer = null, TimeSpan? timeout = null) =>
        StreamSpecAsync(async () =>
        {
            await spec();
            return NotUsed.Instance;
        }, materializer, timeout);

    /// <inheritdoc cref="StreamSpecAsync(Func{Task}, IMaterializer?, TimeSpan?)"/>
    protected Task<T> StreamSpecAsync<T>(Func<Task<T>> spec, IMaterializer? materializer = null, TimeSpan? timeout = null)
    {
        var m = materializer ?? Materializer;
        return this.AssertAllStagesStoppedAsync(async () =>
        {
            var result = await spec();
            await ExpectNoStreamRunningAsync(this, m);
            return result;
        }, m, timeout ?? SpecTimeout);
    }

    /// <summary>Waits, up to a few seconds, for the materializer to have no stream actor left; fails naming them.</summary>
    private static Task ExpectNoStreamRunningAsync(TestKitBase kit, IMaterializer materializer)
    {
        var supervisor = ((ActorMaterializerImpl)materializer).Supervisor;
        return kit.AwaitAssertAsync(
            async () =>
            {
                var children = await supervisor.Ask<StreamSupervisor.Children>(StreamSupervisor.GetChildren.Instance, TimeSpan.FromSeconds(3));
                Xunit.Assert.True(children.Refs.Count == 0, $"streams still running: {string.Join(", ", children.Refs)}");
            },
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(50));
    }

    protected new void Dispose()
    {
        Temp.Dispose();
        base.Dispose();
    }

    void IDisposable.Dispose() => Dispose();
}
