using System.Diagnostics;
using Me3.Tests.Support;
using Xunit;

namespace Me3.Tests.Lake;

/// <summary>The write manifest in an app without reflection-based JSON (trimmed, single-file, AOT): the CLI is built
/// that way, so a batch spanning two dates, which needs a manifest, must land through it.</summary>
public sealed class WriteManifestSpec : IDisposable
{
    private readonly TempLake _temp = new();

    [Fact]
    public async Task A_batch_across_two_dates_must_land_in_an_app_without_reflection_based_JSON()
    {
        var file = _temp.WriteLines("days.jsonl",
        [
            Records.Purchase("a", "s", "2026-11-20T12:00:00Z"),
            Records.Purchase("b", "s", "2026-11-21T12:00:00Z"),
        ]);

        using var process = ChildProcess.Start("Me3.Samples", ["ingest", "--from", file, "--lake", _temp.Lake]);
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, stdout + stderr);
        Assert.Equal(2, _temp.ParquetFiles("purchases").Count);
        using var duck = new DuckLake(_temp.Lake);
        Assert.Equal(2, duck.Count("purchases"));
    }

    public void Dispose() => _temp.Dispose();
}
