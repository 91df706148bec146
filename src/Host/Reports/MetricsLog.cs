using System.Text;

namespace ActorRL.Host.Reports;

/// <summary>
/// Appends one JSON line per step to <c>&lt;run dir&gt;/metrics.jsonl</c>. Each line goes to the
/// file in one write and is flushed at once (and, with <c>fsync</c>, forced to disk), so a crash
/// loses at most the line being written.
/// </summary>
/// <remarks>
/// Opening an existing file continues it. A partial last line left by a crash is cut off first,
/// so the next line starts on a line of its own. A resumed run may log again steps it had logged
/// before the crash: the file keeps both lines and <see cref="MetricsReader"/> keeps the last one
/// for each (stage, step).
/// </remarks>
public sealed class MetricsLog : IDisposable
{
    /// <summary>The file name under the run directory.</summary>
    public const string FileName = "metrics.jsonl";

    private readonly FileStream _file;
    private readonly bool _fsync;
    private readonly Lock _gate = new();

    /// <summary>Opens (or creates) <c>metrics.jsonl</c> under <paramref name="runDir"/>.</summary>
    /// <param name="runDir">The run directory; created if missing.</param>
    /// <param name="fsync">Force every line to disk, not only to the operating system; survives power loss, at a cost per step.</param>
    public MetricsLog(string runDir, bool fsync = false)
    {
        Directory.CreateDirectory(runDir);
        Path = System.IO.Path.Combine(runDir, FileName);
        _fsync = fsync;
        _file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        DroppedPartialBytes = CutPartialLastLine(_file);
        _file.Seek(0, SeekOrigin.End);
    }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>Bytes of an unfinished last line (a crash mid-write) cut off when the file was opened; 0 if none.</summary>
    public long DroppedPartialBytes { get; }

    /// <summary>Appends the line for <paramref name="metrics"/> and flushes it.</summary>
    public void Append(StepMetrics metrics)
    {
        var bytes = Encoding.UTF8.GetBytes(MetricsLine.Format(metrics) + "\n");
        lock (_gate)
        {
            _file.Write(bytes);
            _file.Flush(flushToDisk: _fsync);
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    private static long CutPartialLastLine(FileStream file)
    {
        var length = file.Length;
        var end = length;
        var one = new byte[1];
        while (end > 0)
        {
            file.Seek(end - 1, SeekOrigin.Begin);
            file.ReadExactly(one);
            if (one[0] == (byte)'\n')
            {
                break;
            }

            end--;
        }

        if (end < length)
        {
            file.SetLength(end);
            file.Flush(flushToDisk: true);
        }

        return length - end;
    }
}
