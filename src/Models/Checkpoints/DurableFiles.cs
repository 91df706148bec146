using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ActorRL.Models.Checkpoints;

/// <summary>Files that are on the disk (not just in the page cache) when a write returns, hashed as they are written.</summary>
/// <summary>
/// A stream that can take a buffer rented from <see cref="ArrayPool{T}.Shared"/> and return it itself once done with
/// it, so a writer producing large chunks spares the copy a plain <see cref="Stream.Write(byte[], int, int)"/> would need.
/// </summary>
internal interface IPooledBufferSink
{
    /// <summary>Writes the first <paramref name="count"/> bytes of <paramref name="buffer"/> and takes ownership of it.</summary>
    void WritePooled(byte[] buffer, int count);
}

internal static partial class DurableFiles
{
    /// <summary>Creates <paramref name="name"/> in <paramref name="directory"/> (it must not exist), lets
    /// <paramref name="write"/> fill it, fsyncs it, and returns its size and SHA-256.</summary>
    public static CheckpointFile Write(string directory, string name, Action<Stream> write)
    {
        string path = Path.Combine(directory, name);
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        using var hashing = new HashingStream(file, new EarlyWriteback(file));
        write(hashing);
        file.Flush(flushToDisk: true);
        return new CheckpointFile(name, hashing.Length, Convert.ToHexStringLower(hashing.Hash()));
    }

    /// <summary>
    /// Starts the disk writing each completed stretch of a file while the rest is still being produced (Linux
    /// <c>sync_file_range</c>, without waiting), so that the final fsync finds little left to do and the disk works
    /// in parallel with serialization and hashing instead of after them. Elsewhere, or where the call is refused,
    /// it does nothing: the fsync at the end is what makes the file durable either way.
    /// </summary>
    private sealed class EarlyWriteback(FileStream file)
    {
        private const long Stretch = 8 << 20;
        private const uint StartWrite = 2; // SYNC_FILE_RANGE_WRITE
        private long started;
        private bool unsupported = !OperatingSystem.IsLinux();

        /// <summary>Called after bytes were handed to the file; <paramref name="length"/> is the file's length so far.</summary>
        public void Written(long length)
        {
            if (unsupported || length - started < Stretch) return;
            file.Flush(flushToDisk: false);
            if (SyncFileRange((int)file.SafeFileHandle.DangerousGetHandle(), started, length - started, StartWrite) != 0) unsupported = true;
            started = length;
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int fd, long offset, long nbytes, uint flags);

    /// <summary>The SHA-256 of a file's contents, as lowercase hex.</summary>
    public static string Sha256(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    /// <summary>
    /// Makes the entries of a directory (files created or renamed into it) durable: without this a
    /// power cut can forget a rename even though the renamed files' contents were synced.
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD()) return;
        int fd = Open(directory, 0);
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

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>
    /// A write-only pass-through that hashes and counts what it forwards. The hash runs on another thread, fed copies of
    /// the written chunks in order, so that SHA-256 (about as fast as the disk here) overlaps the writing instead of
    /// adding to it.
    /// </summary>
    private sealed class HashingStream : Stream, IPooledBufferSink
    {
        private readonly Stream inner;
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly BlockingCollection<(byte[] Buffer, int Count)> chunks = new(boundedCapacity: 32);
        private readonly Task hashing;
        private readonly EarlyWriteback writeback;
        private long length;

        public HashingStream(Stream inner, EarlyWriteback writeback)
        {
            this.inner = inner;
            this.writeback = writeback;
            hashing = Task.Factory.StartNew(() =>
            {
                foreach (var (buffer, count) in chunks.GetConsumingEnumerable())
                {
                    hash.AppendData(buffer, 0, count);
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        /// <summary>The SHA-256 of everything written; no more writes after it.</summary>
        public byte[] Hash()
        {
            chunks.CompleteAdding();
            hashing.GetAwaiter().GetResult();
            return hash.GetHashAndReset();
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => length;

        public override long Position
        {
            get => length;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            byte[] copy = ArrayPool<byte>.Shared.Rent(buffer.Length);
            buffer.CopyTo(copy);
            chunks.Add((copy, buffer.Length));
            length += buffer.Length;
            writeback.Written(length);
        }

        /// <summary>Writes a buffer rented from the shared pool and hands it to the hashing thread, which returns it.</summary>
        public void WritePooled(byte[] buffer, int count)
        {
            inner.Write(buffer, 0, count);
            chunks.Add((buffer, count));
            length += count;
            writeback.Written(length);
        }

        public override void WriteByte(byte value) => Write([value]);

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // A write that failed half-way never asked for the hash: stop the hashing thread all the same.
                if (!chunks.IsAddingCompleted) chunks.CompleteAdding();
                hashing.GetAwaiter().GetResult();
                chunks.Dispose();
                hash.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
