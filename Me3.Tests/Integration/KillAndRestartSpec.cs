using System.Diagnostics;
using Me3.Samples.Commands;
using Me3.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Me3.Tests.Integration;

/// <summary>
/// The guarantee users care about most: kill -9 the real <c>ingest</c> process at any instant, run it again, and
/// every record is in the lake exactly once.
/// </summary>
public sealed class KillAndRestartSpec(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] AllTables = ["purchases", "gjoins", "other_events", "dead_letters"];
    private readonly TempLake _temp = new();

    [Fact]
    public async Task Ingest_killed_with_SIGKILL_at_several_points_then_restarted_must_land_every_record_exactly_once()
    {
        const int events = 60_000;
        var content = _temp.File("content.jsonl");
        GenerateCommand.Generate(content, events, seed: 11);
        // Hostile lines too: they must survive crashes like everything else.
        File.AppendAllText(content, "not json\n[1]\n{\"event_type\":\"purchase_sword\"\n");
        var bytes = await File.ReadAllBytesAsync(content);

        // The input is a named pipe fed by the test, so each kill hits an ingest that is certainly still running
        // (it waits for the rest of its input), however fast it is.
        var file = _temp.File("events.jsonl");
        using (var mkfifo = Process.Start("mkfifo", [file]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        foreach (var newFilesBeforeKill in new[] { 1, 5, 12 })
        {
            var filesBefore = CountLandedFiles();
            using var process = StartIngest(file);
            await using (var pipe = await Task.Run(() => new FileStream(file, FileMode.Open, FileAccess.Write)))
            {
                try
                {
                    // Feed the input a slice at a time until the new files land; never all of it.
                    var clock = Stopwatch.StartNew();
                    for (var at = 0; at < bytes.Length - 1 && CountLandedFiles() < filesBefore + newFilesBeforeKill;)
                    {
                        var slice = Math.Min(64 * 1024, bytes.Length - 1 - at);
                        await pipe.WriteAsync(bytes.AsMemory(at, slice));
                        await pipe.FlushAsync();
                        at += slice;
                        for (var wait = 0; wait < 8 && CountLandedFiles() < filesBefore + newFilesBeforeKill; wait++)
                        {
                            await Task.Delay(5);
                        }
                    }

                    Assert.False(process.HasExited, "the ingest ended before its input did");
                    process.Kill(entireProcessTree: true); // SIGKILL: no cleanup, no flush, no commit
                    await process.WaitForExitAsync();
                }
                catch (IOException)
                {
                    // the reader is gone: the pipe is broken
                }
            }

            output.WriteLine($"killed after >= {newFilesBeforeKill} new files: {CountLandedFiles()} files landed, temp files: {CountTempFiles()}");
        }

        using var final = StartIngest(file);
        await using (var pipe = await Task.Run(() => new FileStream(file, FileMode.Open, FileAccess.Write)))
        {
            await pipe.WriteAsync(bytes);
        }

        var stdout = await final.StandardOutput.ReadToEndAsync();
        await final.WaitForExitAsync();
        output.WriteLine(stdout);
        Assert.Equal(0, final.ExitCode);

        using var duck = new DuckLake(_temp.Lake);
        var positions = duck.Positions(AllTables);
        Assert.Equal(events + 3, positions.Count);
        Assert.Equal(events + 3, positions.Distinct().Count());
        Assert.Equal(3, duck.Count("dead_letters"));
        Assert.Equal(0, CountTempFiles());
    }

    private Process StartIngest(string file) =>
        ChildProcess.Start("Me3.Samples", ["ingest", "--from", file, "--lake", _temp.Lake, "--batch-records", "400"]);

    private int CountLandedFiles() => AllTables.Sum(t => _temp.ParquetFiles(t).Count);

    private int CountTempFiles() =>
        Directory.Exists(_temp.Lake) ? Directory.GetFiles(_temp.Lake, "*.tmp", SearchOption.AllDirectories).Length : 0;

    public void Dispose() => _temp.Dispose();
}
