using System.Runtime.InteropServices;

namespace Me3.Streams.Lake;

/// <summary>
/// The two steps that make a write survive a crash: flush a file's bytes to disk, and make a rename durable
/// by flushing its directory. .NET has no API for the second, so on Unix it calls <c>fsync</c> on the directory.
/// </summary>
internal static partial class DurableFile
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

    /// <summary>Atomically renames <paramref name="temp"/> to <paramref name="final"/>, replacing it.</summary>
    public static void Publish(string temp, string final) => File.Move(temp, final, overwrite: true);

    /// <summary>Flushes a directory so that renames and creations in it survive a power loss.</summary>
    /// <exception cref="IOException">The directory could not be flushed.</exception>
    public static void FsyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // NTFS journals metadata; there is no directory handle to flush.
        }

        var fd = Open(directory, OperatingSystem.IsLinux() ? ReadOnlyDirectory : 0);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Cannot flush directory '{directory}' (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
