using System.Globalization;
using System.Runtime.InteropServices;

namespace Me3.Samples.Support;

/// <summary>What benchmarks report besides wall time: CPU time (user + system) and peak resident memory, on Linux.</summary>
internal static partial class ProcessStats
{
    private const int RusageChildren = -1;

    /// <summary>This process's peak resident memory (VmHWM).</summary>
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
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    /// <summary>Starts a new peak for <see cref="PeakRssBytes"/> at the current resident memory (Linux 4.0+).</summary>
    public static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
            // not Linux, or not allowed: the peak then covers the whole process
        }
        catch (UnauthorizedAccessException)
        {
            // likewise
        }
    }

    /// <summary>CPU time (user + system) of every child process waited for so far.</summary>
    public static TimeSpan ChildrenCpu()
    {
        if (!OperatingSystem.IsLinux() || GetRusage(RusageChildren, out var usage) != 0)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromMicroseconds(usage.UserSeconds * 1e6 + usage.UserMicros + usage.SystemSeconds * 1e6 + usage.SystemMicros);
    }

    /// <summary>The head of Linux's <c>struct rusage</c>: the two <c>timeval</c>s, then fields we do not read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Rusage
    {
        public long UserSeconds;
        public long UserMicros;
        public long SystemSeconds;
        public long SystemMicros;
        private unsafe fixed long _rest[14];
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRusage(int who, out Rusage usage);
}
