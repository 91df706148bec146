using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace ActorRL.Host.Bench.Persistence;

/// <summary>
/// A throw-away PostgreSQL server for measurements (Debian's <c>postgresql</c> package, binaries under
/// /usr/lib/postgresql/&lt;version&gt;/bin): a fresh data directory in a new folder, trust authentication on 127.0.0.1
/// only, a free port, the Unix socket in that folder, and the server's default durability (fsync and synchronous
/// commit on), so its figures compare with SQLite's synchronous=FULL. initdb and postgres refuse to run as root, so as
/// root the folder is given to the <c>postgres</c> system user and the binaries run through runuser (or su). Disposing
/// stops the server (<c>pg_ctl stop -m fast</c>) and deletes the folder.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    /// <summary>Where Debian installs one folder per PostgreSQL major version.</summary>
    public const string BinariesParent = "/usr/lib/postgresql";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string root;
    private readonly string binDir;
    private readonly bool asRoot = Environment.UserName == "root";
    private bool running;

    private LocalPostgres(string root, string binDir)
    {
        this.root = root;
        this.binDir = binDir;
    }

    /// <summary>The port the server listens on, on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>The server's version, e.g. "15.8 (Debian 15.8-0+deb12u1)".</summary>
    public string Version { get; private set; } = "";

    /// <summary>An Npgsql connection string to the <c>postgres</c> database as the <c>postgres</c> superuser (trust: no password).</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5;Command Timeout=30";

    private string DataDir => Path.Combine(root, "data");

    private string LogFile => Path.Combine(root, "server.log");

    /// <summary>The newest installed server's bin folder (holding initdb and pg_ctl), or null when none is installed.</summary>
    public static string? FindBinaries() =>
        !Directory.Exists(BinariesParent) ? null
            : Directory.GetDirectories(BinariesParent)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0)
                .FirstOrDefault();

    /// <summary>Creates a data directory in a new folder under <paramref name="parent"/>, starts a server on it and waits until it accepts connections.</summary>
    /// <exception cref="LocalPostgresUnavailableException">The binaries are missing, or initdb or the server failed; the message says which.</exception>
    public static async Task<LocalPostgres> StartAsync(string parent, CancellationToken cancellationToken)
    {
        string binDir = FindBinaries() ?? throw new LocalPostgresUnavailableException(
            $"PostgreSQL server binaries (initdb, pg_ctl) not found under {BinariesParent}/*/bin; install the Debian package 'postgresql'");
        // Not CreateTempSubdirectory: its folder is private to this user, and the postgres user must reach the data inside.
        var server = new LocalPostgres(Path.Combine(parent, $"actorrl-pg-{Guid.NewGuid():N}"), binDir);
        try
        {
            await server.InitializeAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (running) await RunPgAsync("pg_ctl", ["-D", DataDir, "-m", "fast", "-w", "-t", "60", "stop"], CancellationToken.None);
        }
        catch (LocalPostgresUnavailableException)
        {
            // Not running after all (a start that failed): nothing to stop.
        }
        finally
        {
            running = false;
            NpgsqlConnection.ClearAllPools();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(root);
        if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", root], asPostgres: false, cancellationToken);
        await RunPgAsync("initdb", ["-D", DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"], cancellationToken);
        for (int attempt = 1; ; attempt++)
        {
            Port = FreePort();
            try
            {
                string options = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root}";
                running = true; // from here on, a failed start is stopped on dispose
                await RunPgAsync("pg_ctl", ["-D", DataDir, "-l", LogFile, "-o", options, "-w", "-t", "60", "start"], cancellationToken);
                break;
            }
            catch (LocalPostgresUnavailableException) when (attempt < 3 && ServerLogTail().Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                // Someone took the port between the probe and the bind: try another.
                running = false;
            }
        }
        Version = await WaitUntilReadyAsync(cancellationToken);
    }

    // Polls until a connection succeeds, and returns the server's version.
    private async Task<string> WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SHOW server_version", connection);
                return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (Exception e) when (e is NpgsqlException or SocketException)
            {
                throw new LocalPostgresUnavailableException($"PostgreSQL on 127.0.0.1:{Port} does not accept connections: {e.Message}\nserver log:\n{ServerLogTail()}", e);
            }
        }
    }

    private string ServerLogTail(int lines = 30)
    {
        try
        {
            string[] all = File.ReadAllLines(LogFile);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(no server log: {e.Message})";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunPgAsync(string tool, IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        RunAsync(Path.Combine(binDir, tool), args, asPostgres: asRoot, cancellationToken);

    private async Task RunAsync(string program, IReadOnlyList<string> args, bool asPostgres, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        string? runuser = new[] { "/usr/sbin/runuser", "/sbin/runuser" }.FirstOrDefault(File.Exists);
        IEnumerable<string> arguments;
        if (!asPostgres)
        {
            start.FileName = program;
            arguments = args;
        }
        else if (runuser is not null)
        {
            start.FileName = runuser;
            arguments = ["-u", "postgres", "--", program, .. args];
        }
        else
        {
            start.FileName = "su";
            arguments = ["postgres", "-s", "/bin/sh", "-c", string.Join(' ', new[] { program }.Concat(args).Select(Quote))];
        }
        foreach (string a in arguments) start.ArgumentList.Add(a);

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        string commandLine = $"{start.FileName} {string.Join(' ', start.ArgumentList)}";
        try
        {
            if (!process.Start()) throw new LocalPostgresUnavailableException($"could not start: {commandLine}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LocalPostgresUnavailableException($"could not start {commandLine}: {e.Message}", e);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new LocalPostgresUnavailableException($"timed out after {CommandTimeout.TotalSeconds} s: {commandLine}\n{output}\nserver log:\n{ServerLogTail()}");
        }
        if (process.ExitCode != 0)
        {
            throw new LocalPostgresUnavailableException($"exit code {process.ExitCode}: {commandLine}\n{output}\nserver log:\n{ServerLogTail()}");
        }
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
