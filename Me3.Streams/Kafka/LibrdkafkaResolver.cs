using System.Reflection;
using System.Runtime.InteropServices;

namespace Me3.Streams.Kafka;

/// <summary>
/// Finds the librdkafka that Confluent.Kafka ships (package librdkafka.redist) for this assembly's own P/Invokes
/// (the embedded broker's mock-cluster API). Like Confluent.Kafka's loader, it tries the default Linux build first and
/// falls back to the CentOS 8 build, which needs no SASL library, so both load the same file.
/// </summary>
internal static class LibrdkafkaResolver
{
    private static readonly string[] Candidates = OperatingSystem.IsLinux()
        ? ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so"]
        : OperatingSystem.IsMacOS() ? ["librdkafka.dylib"] : ["librdkafka.dll"];

    private static readonly Lazy<bool> Registration = new(() =>
    {
        NativeLibrary.SetDllImportResolver(typeof(LibrdkafkaResolver).Assembly, Resolve);
        return true;
    });

    /// <summary>Registers the resolver for this assembly, once.</summary>
    public static void EnsureRegistered() => _ = Registration.Value;

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != "librdkafka")
        {
            return IntPtr.Zero; // default probing
        }

        var rid = RuntimeInformation.RuntimeIdentifier.StartsWith("linux", StringComparison.Ordinal)
            ? $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}"
            : RuntimeInformation.RuntimeIdentifier;
        foreach (var directory in new[] { Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native"), AppContext.BaseDirectory })
        {
            foreach (var candidate in Candidates)
            {
                if (NativeLibrary.TryLoad(Path.Combine(directory, candidate), out var handle))
                {
                    return handle;
                }
            }
        }

        return NativeLibrary.TryLoad(name, assembly, searchPath, out var fallback) ? fallback : IntPtr.Zero;
    }
}
