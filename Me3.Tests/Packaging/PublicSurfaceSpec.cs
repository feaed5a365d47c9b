using Me3.Streams.Dsl;
using Xunit;

namespace Me3.Tests.Packaging;

/// <summary>
/// The package's public types are a decision, not an accident: what a user composes, configures, reads back and
/// queries. A type that becomes public (or stops being public) fails here until it is added to (or taken from) this
/// list, and, when users should know it, to the package README.
/// </summary>
public sealed class PublicSurfaceSpec
{
    private static readonly string[] PublicTypes =
    [
        // What a user composes: the graphs and what flows through them.
        "Me3.Streams.Dsl.KafkaIngestion",
        "Me3.Streams.Dsl.Me3Flow",
        "Me3.Streams.Dsl.Me3Graph",
        "Me3.Streams.Dsl.Me3Sink",
        "Me3.Streams.Dsl.Me3Source",
        "Me3.Streams.Events.CommittableOffset",
        "Me3.Streams.Events.DecodedEvent",
        "Me3.Streams.Events.IOffsetCommitter",
        "Me3.Streams.Events.RecordBlock",
        "Me3.Streams.Events.SourceRecord",
        "Me3.Streams.Lake.IngestSummary",
        "Me3.Streams.Lake.LakeCheckpoint",
        "Me3.Streams.Lake.LandedFile",
        "Me3.Streams.Lake.OffsetRange",
        "Me3.Streams.Lake.TableSummary",
        "Me3.Streams.Kafka.IKafkaControl",
        "Me3.Streams.Kafka.KafkaProducer",
        "Me3.Streams.Kafka.KafkaSupervision",
        "Me3.Streams.Kafka.ProducerMessage`1",
        "Me3.Streams.Kafka.ProducerResult`1",
        "Me3.Streams.Me3Exception",
        "Me3.Streams.Me3Metrics",
        // What a user configures.
        "Me3.Streams.Settings.CommitterSettings",
        "Me3.Streams.Settings.EventRoute",
        "Me3.Streams.Settings.KafkaConsumerSettings",
        "Me3.Streams.Settings.KafkaProducerSettings",
        "Me3.Streams.Settings.LakeSettings",
        "Me3.Streams.Settings.ParquetWriterKind",
        "Me3.Streams.Settings.RoutingSettings",
        // Hosting with Akka.Hosting.
        "Me3.Streams.Hosting.Me3IngestionExtensions",
        "Me3.Streams.Hosting.Me3IngestionSettings",
        "Me3.Streams.Hosting.Me3IngestionState",
        "Me3.Streams.Hosting.Me3IngestionStatus",
        // Querying the lake: engines, the business questions, the Trino client and protocol server.
        "Me3.Streams.Query.AnswerText",
        "Me3.Streams.Query.BusinessQuestions",
        "Me3.Streams.Query.CountedValue",
        "Me3.Streams.Query.DuckDb.DuckDbQueryEngine",
        "Me3.Streams.Query.DuckDb.DuckDbSettings",
        "Me3.Streams.Query.IQueryEngine",
        "Me3.Streams.Query.LakeAnswers",
        "Me3.Streams.Query.LakeCatalog",
        "Me3.Streams.Query.LakeTable",
        "Me3.Streams.Query.LakeTableColumn",
        "Me3.Streams.Query.PlatformSplit",
        "Me3.Streams.Query.QueryColumn",
        "Me3.Streams.Query.QueryEngineExtensions",
        "Me3.Streams.Query.QueryError",
        "Me3.Streams.Query.QueryErrors",
        "Me3.Streams.Query.QueryException",
        "Me3.Streams.Query.QueryOptions",
        "Me3.Streams.Query.QueryResult",
        "Me3.Streams.Query.Ranking",
        "Me3.Streams.Query.TableCount",
        "Me3.Streams.Query.Trino.Server.TrinoResponse",
        "Me3.Streams.Query.Trino.Server.TrinoServer",
        "Me3.Streams.Query.Trino.Server.TrinoServerSettings",
        "Me3.Streams.Query.Trino.Server.TrinoSession",
        "Me3.Streams.Query.Trino.TrinoClientSettings",
        "Me3.Streams.Query.Trino.TrinoHeaders",
        "Me3.Streams.Query.Trino.TrinoHiveRegistration",
        "Me3.Streams.Query.Trino.TrinoQueryEngine",
    ];

    [Fact]
    public void The_library_must_expose_only_the_types_a_user_needs()
    {
        var exported = typeof(Me3Graph).Assembly.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal).ToList();

        var added = exported.Except(PublicTypes).ToList();
        var removed = PublicTypes.Except(exported).ToList();
        Assert.True(added.Count == 0 && removed.Count == 0,
            $"public types changed; newly public: [{string.Join(", ", added)}]; no longer public: [{string.Join(", ", removed)}]. " +
            "Keep library internals internal (the repository's projects see them through InternalsVisibleTo); if a user needs the type, list it in PublicSurfaceSpec.");
    }

    [Theory]
    [InlineData("Me3.Streams.Kafka.EmbeddedKafka")]
    [InlineData("Me3.Streams.Events.EventDecoder")]
    [InlineData("Me3.Streams.Routing.LakeLayout")]
    [InlineData("Me3.Streams.Routing.TableSchema")]
    [InlineData("Me3.Streams.Lake.LakeFileName")]
    [InlineData("Me3.Streams.Lake.LakeIdentifier")]
    [InlineData("Me3.Streams.Lake.LakeRecovery")]
    [InlineData("Me3.Streams.Lake.LakeWriterStage")]
    public void A_library_internal_must_not_be_public(string type)
    {
        var found = typeof(Me3Graph).Assembly.GetType(type, throwOnError: true)!;

        Assert.False(found.IsVisible, $"{type} is public");
    }
}
