using Me3.Streams;
using Me3.Streams.Dsl;
using Me3.Streams.Settings;
using Xunit;

namespace Me3.Tests.Settings;

public sealed class LakeSettingsSpec
{
    private static readonly LakeSettings Defaults = new("lake");

    [Fact]
    public void Defaults_must_be_the_documented_ones()
    {
        Assert.Equal(Path.GetFullPath("lake"), Defaults.Path);
        Assert.Same(RoutingSettings.Default, Defaults.Routing);
        Assert.Equal(250_000, Defaults.MaxBatchRecords);
        Assert.Equal(32L << 20, Defaults.MaxBatchBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), Defaults.MaxBatchInterval);
        Assert.Equal(96L << 20, Defaults.MaxBufferedBytes);
        Assert.Equal(Math.Max(1, Environment.ProcessorCount), Defaults.MaxConcurrentWrites);
        Assert.Equal(131_072, Defaults.RowGroupRows);
        Assert.Equal(16L << 20, Defaults.RowGroupBytes);
        Assert.True(Defaults.Fsync);
        Assert.Equal(ParquetWriterKind.ParquetSharp, Defaults.ParquetWriter);
        Defaults.Validate();
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void An_empty_path_must_be_rejected(string path) =>
        Assert.ThrowsAny<ArgumentException>(() => new LakeSettings(path));

    [Fact]
    public void With_methods_must_return_a_changed_copy_and_leave_the_original_alone()
    {
        var routing = RoutingSettings.Default.WithOtherEventsTable("misc");
        var changed = Defaults
            .WithRouting(routing)
            .WithBatchBounds(10, 1 << 20, TimeSpan.FromSeconds(1))
            .WithMaxBufferedBytes(4 << 20)
            .WithRowGroupRows(100)
            .WithParquetWriter(ParquetWriterKind.ParquetNet);

        Assert.Equal(
            (routing, 10, 1L << 20, TimeSpan.FromSeconds(1), 4L << 20, 100, ParquetWriterKind.ParquetNet),
            (changed.Routing, changed.MaxBatchRecords, changed.MaxBatchBytes, changed.MaxBatchInterval, changed.MaxBufferedBytes, changed.RowGroupRows, changed.ParquetWriter));
        Assert.Equal(new LakeSettings("lake"), Defaults);
        Assert.Equal(Defaults.Path, changed.Path);
    }

    [Fact]
    public void Batch_bounds_larger_than_the_memory_bound_must_raise_the_memory_bound_to_one_batch()
    {
        var settings = Defaults.WithBatchBounds(1000, 200L << 20, TimeSpan.FromSeconds(5));

        Assert.Equal(200L << 20, settings.MaxBufferedBytes);
        settings.Validate();
    }

    [Fact]
    public void Smaller_batch_bounds_must_leave_the_memory_bound_alone()
    {
        Assert.Equal(Defaults.MaxBufferedBytes, Defaults.WithBatchBounds(10, 1 << 20, TimeSpan.FromSeconds(1)).MaxBufferedBytes);
    }

    [Fact]
    public void A_memory_bound_below_one_batch_must_be_rejected_by_name()
    {
        var settings = Defaults.WithBatchBounds(10, 64L << 20, TimeSpan.FromSeconds(1)).WithMaxBufferedBytes(1 << 20);
        Assert.Equal("Lake setting MaxBufferedBytes must be at least MaxBatchBytes (was 1048576).", Assert.Throws<Me3Exception>(settings.Validate).Message);
    }

    public static TheoryData<string, string> OutOfRange() => new()
    {
        { nameof(LakeSettings.MaxBatchRecords), "0" },
        { nameof(LakeSettings.MaxBatchBytes), "-1" },
        { nameof(LakeSettings.MaxBatchInterval), "00:00:00" },
        { nameof(LakeSettings.MaxConcurrentWrites), "0" },
        { nameof(LakeSettings.RowGroupRows), "-5" },
        { nameof(LakeSettings.RowGroupBytes), "0" },
        { nameof(LakeSettings.ParquetWriter), "7" },
    };

    private static LakeSettings With(string name) => name switch
    {
        nameof(LakeSettings.MaxBatchRecords) => Defaults with { MaxBatchRecords = 0 },
        nameof(LakeSettings.MaxBatchBytes) => Defaults with { MaxBatchBytes = -1 },
        nameof(LakeSettings.MaxBatchInterval) => Defaults with { MaxBatchInterval = TimeSpan.Zero },
        nameof(LakeSettings.MaxConcurrentWrites) => Defaults with { MaxConcurrentWrites = 0 },
        nameof(LakeSettings.RowGroupRows) => Defaults.WithRowGroupRows(-5),
        nameof(LakeSettings.RowGroupBytes) => Defaults with { RowGroupBytes = 0 },
        nameof(LakeSettings.ParquetWriter) => Defaults.WithParquetWriter((ParquetWriterKind)7),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Validate_must_reject_an_out_of_range_bound_naming_it_and_its_value(string name, string value)
    {
        var settings = With(name);

        var message = Assert.Throws<Me3Exception>(settings.Validate).Message;

        Assert.StartsWith($"Lake setting {name} must ", message, StringComparison.Ordinal);
        Assert.EndsWith($"(was {value}).", message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void The_ingestion_graph_must_refuse_out_of_range_settings_when_it_is_built(string name, string value)
    {
        var settings = With(name);
        Assert.Contains($"{name} must", Assert.Throws<Me3Exception>(() => Me3Flow.Ingest(settings)).Message);
        Assert.NotEmpty(value);
    }
}
