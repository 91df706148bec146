using System.Runtime.InteropServices;

namespace ActorRL.Host.Bench.Persistence;

/// <summary>
/// The disk's limit for a checkpoint: the same bytes written as plain files, each fsynced, then the directory and its
/// parent fsynced (what a checkpoint's durability needs, without its format, hashing or rename), and read back once.
/// </summary>
public static class RawFiles
{
    private const int ReadBufferBytes = 1 << 20;

    /// <summary>Creates <paramref name="directory"/> (it must not exist) and writes each file into it durably.</summary>
    public static void Write(string directory, IReadOnlyList<(string Name, byte[] Bytes)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (Directory.Exists(directory)) throw new IOException($"{directory} already exists");
        Directory.CreateDirectory(directory);
        foreach ((string name, byte[] bytes) in files)
        {
            using var file = new FileStream(Path.Combine(directory, name), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        SyncDirectory(directory);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(directory))!);
    }

    /// <summary>Reads every file of <paramref name="directory"/> once, sequentially; returns the bytes read.</summary>
    public static long Read(string directory)
    {
        var buffer = new byte[ReadBufferBytes];
        long total = 0;
        foreach (string path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            int n;
            while ((n = file.Read(buffer)) > 0) total += n;
        }
        return total;
    }

    /// <summary>The files of <paramref name="directory"/> by name, in ordinal order, with their contents.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Capture(string directory) =>
        [.. Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal).Select(p => (Path.GetFileName(p), File.ReadAllBytes(p)))];

    // .NET cannot open a directory as a file, so its entries are made durable through libc.
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD()) return;
        byte[] path = [.. System.Text.Encoding.UTF8.GetBytes(directory), 0];
        int fd = Open(path, 0);
        if (fd < 0) throw new IOException($"cannot open {directory} to sync it: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"fsync of {directory} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
