using Confluent.Kafka;
using Me3.Streams;
using Me3.Streams.Settings;
using Xunit;

namespace Me3.Tests.Settings;

public sealed class KafkaConsumerSettingsSpec
{
    private static readonly KafkaConsumerSettings Settings = new("localhost:9092", "me3-ingest", "events");

    [Theory]
    [InlineData("enable.auto.commit", "true")]
    [InlineData("ENABLE.AUTO.COMMIT", "True")]
    [InlineData("enable.auto.offset.store", "true")]
    [InlineData("group.id", "someone-else")]
    public void WithProperty_must_reject_properties_that_break_exactly_once(string name, string value)
    {
        var e = Assert.Throws<Me3Exception>(() => Settings.WithProperty(name, value));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Consumer_config_must_keep_auto_commit_off_even_when_properties_are_set_directly()
    {
        var sneaky = Settings with { Properties = new Dictionary<string, string> { ["enable.auto.commit"] = "true" } };
        Assert.Throws<Me3Exception>(() => sneaky.ToConsumerConfig());
    }

    [Fact]
    public void Consumer_config_must_apply_other_properties_and_force_the_exactly_once_settings_last()
    {
        var config = Settings
            .WithProperty("enable.auto.commit", "false")
            .WithProperty("fetch.max.bytes", "1048576")
            .WithProperty("auto.offset.reset", "latest")
            .ToConsumerConfig();

        Assert.False(config.EnableAutoCommit);
        Assert.False(config.EnableAutoOffsetStore);
        Assert.Equal("me3-ingest", config.GroupId);
        Assert.Equal(1048576, config.FetchMaxBytes);
        Assert.Equal(AutoOffsetReset.Latest, config.AutoOffsetReset);
    }

    [Fact]
    public void Defaults_must_be_the_documented_ones()
    {
        Assert.Equal(("localhost:9092", "me3-ingest"), (Settings.BootstrapServers, Settings.GroupId));
        Assert.Equal(["events"], Settings.Topics);
        Assert.Equal(TimeSpan.FromMilliseconds(50), Settings.PollTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), Settings.StopTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), Settings.RevokeTimeout);
        Assert.Equal(10_000, Settings.MaxBufferedRecords);
        Assert.Null(Settings.Decider);
        Assert.Empty(Settings.Properties);
        var config = Settings.ToConsumerConfig();
        Assert.Equal((AutoOffsetReset.Earliest, false, false), (config.AutoOffsetReset, config.EnableAutoCommit, config.EnableAutoOffsetStore));
    }

    [Fact]
    public void The_constructor_must_reject_empty_servers_group_or_topics()
    {
        Assert.ThrowsAny<ArgumentException>(() => new KafkaConsumerSettings(" ", "g", "t"));
        Assert.ThrowsAny<ArgumentException>(() => new KafkaConsumerSettings("s:1", "", "t"));
        Assert.Contains("At least one topic", Assert.ThrowsAny<ArgumentException>(() => new KafkaConsumerSettings("s:1", "g")).Message);
    }

    [Fact]
    public void With_methods_must_return_a_changed_copy_and_leave_the_original_alone()
    {
        Akka.Streams.Supervision.Decider decider = _ => Akka.Streams.Supervision.Directive.Stop;
        var changed = Settings
            .WithPollTimeout(TimeSpan.FromMilliseconds(10))
            .WithStopTimeout(TimeSpan.FromSeconds(1))
            .WithRevokeTimeout(TimeSpan.FromSeconds(2))
            .WithMaxBufferedRecords(5)
            .WithDecider(decider)
            .WithProperty("fetch.max.bytes", "1024");

        Assert.Equal(
            (TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 5, decider, "1024"),
            (changed.PollTimeout, changed.StopTimeout, changed.RevokeTimeout, changed.MaxBufferedRecords, changed.Decider, changed.Properties["fetch.max.bytes"]));
        Assert.Equal(new KafkaConsumerSettings("localhost:9092", "me3-ingest", "events") { Topics = Settings.Topics, Properties = Settings.Properties }, Settings);
        Assert.Empty(Settings.Properties);
    }

    [Theory]
    [InlineData("PollTimeout")]
    [InlineData("StopTimeout")]
    [InlineData("RevokeTimeout")]
    [InlineData("MaxBufferedRecords")]
    public void Out_of_range_bounds_must_be_rejected_by_name_before_a_consumer_is_built(string name)
    {
        var settings = name switch
        {
            "PollTimeout" => Settings.WithPollTimeout(TimeSpan.Zero),
            "StopTimeout" => Settings.WithStopTimeout(TimeSpan.FromSeconds(-1)),
            "RevokeTimeout" => Settings.WithRevokeTimeout(TimeSpan.Zero),
            _ => Settings.WithMaxBufferedRecords(0),
        };

        Assert.StartsWith($"Kafka consumer setting {name} must be positive (was ", Assert.Throws<Me3Exception>(settings.Validate).Message, StringComparison.Ordinal);
        Assert.Contains(name, Assert.Throws<Me3Exception>(settings.ToConsumerConfig).Message, StringComparison.Ordinal);
        Assert.Contains(name, Assert.Throws<Me3Exception>(() => Me3.Streams.Dsl.Me3Source.KafkaCommittable(settings)).Message, StringComparison.Ordinal);
    }
}
