using Me3.Streams;
using Me3.Streams.Dsl;
using Me3.Streams.Settings;
using Xunit;

namespace Me3.Tests.Settings;

public sealed class CommitterSettingsSpec
{
    [Fact]
    public void Defaults_must_be_the_documented_ones()
    {
        Assert.Equal(1_000, CommitterSettings.Default.MaxBatch);
        Assert.Equal(TimeSpan.FromSeconds(1), CommitterSettings.Default.MaxInterval);
        Assert.Equal(new CommitterSettings(), CommitterSettings.Default);
        CommitterSettings.Default.Validate();
    }

    [Fact]
    public void With_methods_must_return_a_changed_copy_and_leave_the_original_alone()
    {
        var changed = CommitterSettings.Default.WithMaxBatch(10).WithMaxInterval(TimeSpan.FromMilliseconds(50));

        Assert.Equal((10, TimeSpan.FromMilliseconds(50)), (changed.MaxBatch, changed.MaxInterval));
        Assert.Equal((1_000, TimeSpan.FromSeconds(1)), (CommitterSettings.Default.MaxBatch, CommitterSettings.Default.MaxInterval));
    }

    [Fact]
    public void The_committer_must_refuse_a_batch_that_is_not_positive_naming_the_setting()
    {
        var settings = CommitterSettings.Default.WithMaxBatch(0);

        Assert.Equal("Committer setting MaxBatch must be positive (was 0).", Assert.Throws<Me3Exception>(settings.Validate).Message);
        Assert.Contains("MaxBatch", Assert.Throws<Me3Exception>(() => Me3Sink.CommitToKafka(settings)).Message);
    }

    [Fact]
    public void The_committer_must_refuse_an_interval_that_is_not_positive_naming_the_setting()
    {
        var settings = CommitterSettings.Default.WithMaxInterval(TimeSpan.FromSeconds(-1));

        Assert.Equal("Committer setting MaxInterval must be positive (was -00:00:01).", Assert.Throws<Me3Exception>(settings.Validate).Message);
        Assert.Contains("MaxInterval", Assert.Throws<Me3Exception>(() => Me3Sink.CommitToKafka(settings)).Message);
    }
}
