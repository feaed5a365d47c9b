using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Me3.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Lake;
using Me3.Streams.Settings;

namespace Me3.Tests.Support;

/// <summary>Base for stream specs that land records in a temporary lake.</summary>
public abstract class LakeSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
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

    protected new void Dispose()
    {
        Temp.Dispose();
        base.Dispose();
    }

    void IDisposable.Dispose() => Dispose();
}
