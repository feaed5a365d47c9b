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
}
