using Me3.Streams;
using Me3.Streams.Settings;
using Xunit;

namespace Me3.Tests.Settings;

public sealed class LakeSettingsSpec
{
    [Fact]
    public void Batch_bounds_larger_than_the_memory_bound_must_raise_the_memory_bound_to_one_batch()
    {
        var settings = new LakeSettings("lake").WithBatchBounds(1000, 200L << 20, TimeSpan.FromSeconds(5));

        Assert.Equal(200L << 20, settings.MaxBufferedBytes);
        settings.Validate();
    }

    [Fact]
    public void Smaller_batch_bounds_must_leave_the_memory_bound_alone()
    {
        var defaults = new LakeSettings("lake");
        Assert.Equal(defaults.MaxBufferedBytes, defaults.WithBatchBounds(10, 1 << 20, TimeSpan.FromSeconds(1)).MaxBufferedBytes);
    }

    [Fact]
    public void A_memory_bound_below_one_batch_must_be_rejected_by_name()
    {
        var settings = new LakeSettings("lake").WithBatchBounds(10, 64L << 20, TimeSpan.FromSeconds(1)).WithMaxBufferedBytes(1 << 20);
        Assert.Contains("MaxBufferedBytes", Assert.Throws<Me3Exception>(settings.Validate).Message);
    }
}
