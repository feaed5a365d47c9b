using System.Text.Json;
using System.Text.Json.Serialization;

namespace Me3.Streams.Lake;

/// <summary>
/// Makes a write of several files (one table batch that spans several <c>dt</c> dates) all-or-nothing. The files
/// are written under temporary names and flushed; then this manifest of renames is written; then the renames
/// happen; then the manifest is deleted. Recovery finishes the renames of any manifest it finds, so after a crash
/// either no file of the batch is visible or all are. Without this, a crash between two renames could leave a
/// later offset visible and an earlier one missing, and the missing one would never be re-landed.
/// </summary>
internal static class WriteManifest
{
    public const string Directory = "_me3/manifests";

    public static string Write(string lake, string writeId, IReadOnlyList<(string Temp, string Final)> moves, bool fsync)
    {
        var dir = Path.Combine(lake, Directory);
        System.IO.Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, writeId + ".json");
        var temp = path + LakeFileName.TempExtension;
        var relative = moves.Select(m => new[] { Path.GetRelativePath(lake, m.Temp), Path.GetRelativePath(lake, m.Final) }).ToArray();
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, relative, ManifestJson.Default.StringArrayArray);
            stream.Flush(flushToDisk: fsync);
        }

        DurableFile.Publish(temp, path);
        if (fsync)
        {
            DurableFile.FsyncDirectory(dir);
        }

        return path;
    }

    /// <summary>Completes the renames of every manifest left by an interrupted write (or, with
    /// <paramref name="include"/>, of those with a landed file name it accepts). Safe to run concurrently, with other
    /// roll-forwards and with the write itself.</summary>
    public static int RollForward(string lake, bool fsync, Func<string, bool>? include = null)
    {
        var dir = Path.Combine(lake, Directory);
        if (!System.IO.Directory.Exists(dir))
        {
            return 0;
        }

        var completed = 0;
        foreach (var manifest in System.IO.Directory.EnumerateFiles(dir, "*.json"))
        {
            string[][] moves;
            try
            {
                moves = JsonSerializer.Deserialize(File.ReadAllBytes(manifest), ManifestJson.Default.StringArrayArray) ?? [];
            }
            catch (FileNotFoundException)
            {
                continue; // another process finished it
            }

            if (include is not null && !moves.Any(m => include(Path.GetFileName(m[1]))))
            {
                continue;
            }

            foreach (var move in moves)
            {
                var temp = Path.Combine(lake, move[0]);
                var final = Path.Combine(lake, move[1]);
                Complete(temp, final);
                if (fsync)
                {
                    DurableFile.FsyncDirectory(Path.GetDirectoryName(final)!);
                }
            }

            File.Delete(manifest);
            completed++;
        }

        return completed;
    }

    /// <summary>Does one rename of a manifest, unless a roll-forward (of this process or another) already did it.</summary>
    public static void Complete(string temp, string final)
    {
        try
        {
            DurableFile.Publish(temp, final);
        }
        catch (FileNotFoundException) when (File.Exists(final))
        {
            // already renamed
        }
    }
}

/// <summary>The manifest's JSON contract, generated at build time: no reflection, so it works trimmed, in single-file
/// and native AOT apps, and where reflection-based serialization is switched off.</summary>
[JsonSerializable(typeof(string[][]))]
internal sealed partial class ManifestJson : JsonSerializerContext;
