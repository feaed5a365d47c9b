using Akka;
using Akka.Streams.Dsl;
using Me3.Streams.Events;
using Me3.Streams.Files;
using Me3.Streams.Kafka;
using Me3.Streams.Lake;
using Me3.Streams.Settings;

namespace Me3.Streams.Dsl;

/// <summary>Sources of records for the ingestion graph.</summary>
public static class Me3Source
{
    /// <summary>
    /// Reads a JSON-lines file in blocks of lines: one record per line, partition 0, offset = 0-based line number.
    /// <para><b>Emits when</b> downstream pulls and a block of lines is read.</para>
    /// <para><b>Backpressures when</b> downstream backpressures; the file is read on demand.</para>
    /// <para><b>Completes when</b> the whole file is read.</para>
    /// <para><b>Fails when</b> the file cannot be read (with a <see cref="Me3Exception"/> naming it).</para>
    /// The lake writer (<see cref="Me3Flow.Ingest"/>) fails the stream, landing nothing of the file, when the lake
    /// holds lines of the source name beyond the file's last line: a different, shorter file of the same name.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="sourceName">
    /// The name its offsets are kept under in the lake (default: the file name, made safe): the file's identity.
    /// Re-running the same file into the same lake, or after appending to it, lands only lines not yet landed; give
    /// a different file a name of its own (a different, longer file under a name the lake holds would have its first
    /// lines skipped as already landed).
    /// </param>
    /// <returns>The source.</returns>
    /// <exception cref="Me3Exception"><paramref name="sourceName"/> is not a valid source name.</exception>
    public static Source<RecordBlock, NotUsed> JsonLines(string path, string? sourceName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var source = sourceName ?? LakeIdentifier.SourceFromFileName(Path.GetFileName(path));
        if (!LakeIdentifier.IsValidSource(source))
        {
            throw new Me3Exception($"Source name '{source}' is not valid: use 1 to 100 of [A-Za-z0-9._-], not starting with '.' or '_'.", file: path);
        }

        return Source.FromGraph(new JsonLinesSource(path, source));
    }

    /// <summary>
    /// Consumes a consumer group's topics and emits the records of each poll as a block with its committer; offsets
    /// are committed only by
    /// <see cref="Me3Sink.CommitToKafka"/>, after the lake has them.
    /// <para><b>Emits when</b> records are available and downstream pulls.</para>
    /// <para><b>Backpressures when</b> downstream backpressures: it holds at most
    /// <see cref="KafkaConsumerSettings.MaxBufferedRecords"/> records, then pauses its partitions (records that still
    /// arrive are kept) and resumes at half.</para>
    /// <para><b>Completes when</b> stopped through <see cref="IKafkaControl.StopAsync"/>; the consumer stays open to
    /// commit until <see cref="IKafkaControl.ShutdownAsync"/>; or when the consumer is closed by
    /// <see cref="IKafkaControl.ShutdownAsync"/> without a stop (what it held is dropped: the next start reads it).</para>
    /// <para><b>Cancels when</b> downstream cancels; the consumer is closed.</para>
    /// <para><b>Fails when</b> the consumer hits a fatal error; retriable ones (broker down, leader change) are retried
    /// by librdkafka with backoff. What a consume error does is the choice of a supervision strategy on this source
    /// (<c>.WithAttributes(ActorAttributes.CreateSupervisionStrategy(decider))</c>), else of
    /// <see cref="KafkaConsumerSettings.Decider"/>, else of <see cref="KafkaSupervision.DefaultDecider"/>. Behind <see cref="Me3Flow.Ingest"/>, the stream also fails when a partition's
    /// first records since its assignment show that the partition ends at or below an offset the lake holds of it
    /// (the topic was re-created, or this is another cluster): its records are not skipped as landed.</para>
    /// On a rebalance, records of a revoked partition are landed and committed before the revocation completes (or,
    /// past <see cref="KafkaConsumerSettings.RevokeTimeout"/>, fenced: never published by this process).
    /// </summary>
    /// <param name="settings">The consumer settings.</param>
    /// <returns>The source; its materialized value controls the consumer.</returns>
    /// <exception cref="Me3Exception">A setting is out of range, or a topic cannot name a source in the lake.</exception>
    public static Source<RecordBlock, IKafkaControl> KafkaCommittable(KafkaConsumerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        foreach (var topic in settings.Topics)
        {
            if (!LakeIdentifier.IsValidSource(topic))
            {
                throw new Me3Exception($"Topic '{topic}' cannot name a source in the lake: use [A-Za-z0-9._-], not starting with '.' or '_'.", source: topic);
            }
        }

        return Source.FromGraph(new KafkaCommittableSource(settings));
    }
}
