using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Me3.Tests.Support;

/// <summary>Starts the repository's own programs from their build output, as a user runs them, and signals them.</summary>
public static class ChildProcess
{
    private const int SigTerm = 15;
    private const int SigStop = 19;
    private const int SigCont = 18;

    /// <summary>The build output of a project of this repository, next to the tests' own (same configuration).</summary>
    public static string Assembly(string project)
    {
        // The test output directory resolves assemblies for the ASP.NET framework the host specs need: run each
        // program from its own build output instead.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testOutput.Parent!.Name;
        var repository = testOutput.Parent.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(repository, project, "bin", configuration, testOutput.Name, project + ".dll");
    }

    public static Process Start(string project, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(Assembly(project))!,
        };
        start.ArgumentList.Add(Assembly(project));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return Process.Start(start)!;
    }

    public static void Terminate(Process process) => Signal(process, SigTerm);

    public static void Freeze(Process process) => Signal(process, SigStop);

    public static void Thaw(Process process) => Signal(process, SigCont);

    private static void Signal(Process process, int signal)
    {
        if (Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
