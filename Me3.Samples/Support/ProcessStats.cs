namespace Me3.Samples.Support;

/// <summary>Reads this process's peak resident memory (VmHWM) on Linux.</summary>
internal static class ProcessStats
{
    public static long? PeakRssBytes()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return null;
        }

        foreach (var line in File.ReadLines(status))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }
}
