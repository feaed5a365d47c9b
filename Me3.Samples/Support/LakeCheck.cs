using Me3.Streams;

namespace Me3.Samples.Support;

/// <summary>Fails early, with a clear message, when the lake directory cannot be written.</summary>
internal static class LakeCheck
{
    public static void RequireWritable(string lake)
    {
        try
        {
            Directory.CreateDirectory(lake);
            var probe = Path.Combine(lake, $".me3-write-check-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new Me3Exception($"The lake directory '{lake}' is not writable: {e.Message}", e, file: lake);
        }
    }
}
