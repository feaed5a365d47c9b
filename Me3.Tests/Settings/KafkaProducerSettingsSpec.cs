using Confluent.Kafka;
using Me3.Streams;
using Me3.Streams.Settings;
using Xunit;

namespace Me3.Tests.Settings;

public sealed class KafkaProducerSettingsSpec
{
    private static readonly KafkaProducerSettings Settings = new("localhost:9092");

    [Fact]
    public void Defaults_must_be_the_documented_ones_and_reach_the_producer_config()
    {
        Assert.Equal((1_000, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(2)), (Settings.MaxInFlight, Settings.DeliveryTimeout, Settings.Linger));
        Assert.Empty(Settings.Properties);

        var config = Settings.ToProducerConfig();

        Assert.Equal("localhost:9092", config.BootstrapServers);
        Assert.Equal(10_000, config.MessageTimeoutMs);
        Assert.Equal(2, config.LingerMs);
        Assert.Equal(Acks.All, config.Acks);
        Assert.True(config.EnableIdempotence);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Empty_bootstrap_servers_must_be_rejected(string servers) =>
        Assert.ThrowsAny<ArgumentException>(() => new KafkaProducerSettings(servers));

    [Fact]
    public void With_methods_must_return_a_changed_copy_and_leave_the_original_alone()
    {
        var changed = Settings.WithMaxInFlight(5).WithDeliveryTimeout(TimeSpan.FromSeconds(3)).WithProperty("compression.type", "lz4");

        Assert.Equal((5, TimeSpan.FromSeconds(3), "lz4"), (changed.MaxInFlight, changed.DeliveryTimeout, changed.Properties["compression.type"]));
        Assert.Equal((1_000, TimeSpan.FromSeconds(10)), (Settings.MaxInFlight, Settings.DeliveryTimeout));
        Assert.Empty(Settings.Properties);
        Assert.Equal(CompressionType.Lz4, changed.ToProducerConfig().CompressionType);
    }

    [Fact]
    public void Raw_properties_must_not_weaken_acknowledgements_or_idempotence()
    {
        var config = Settings.WithProperty("acks", "0").WithProperty("enable.idempotence", "false").ToProducerConfig();

        Assert.Equal(Acks.All, config.Acks);
        Assert.True(config.EnableIdempotence);
    }

    [Fact]
    public void Out_of_range_bounds_must_be_rejected_naming_the_setting()
    {
        Assert.Equal("Kafka producer setting MaxInFlight must be positive (was 0).",
            Assert.Throws<Me3Exception>(() => Settings.WithMaxInFlight(0).ToProducerConfig()).Message);
        Assert.StartsWith("Kafka producer setting DeliveryTimeout must be positive",
            Assert.Throws<Me3Exception>(() => Settings.WithDeliveryTimeout(TimeSpan.Zero).ToProducerConfig()).Message, StringComparison.Ordinal);
        Assert.StartsWith("Kafka producer setting Linger must not be negative",
            Assert.Throws<Me3Exception>((Settings with { Linger = TimeSpan.FromMilliseconds(-1) }).Validate).Message, StringComparison.Ordinal);
    }
}
