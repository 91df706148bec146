using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace ActorRL.Actors.Tests.Persistence;

/// <summary>
/// A real PostgreSQL server for the tests (Debian's <c>postgresql</c> package, binaries under
/// /usr/lib/postgresql/&lt;version&gt;/bin): a fresh data directory in a temp folder, trust authentication on 127.0.0.1
/// only, a free port, the Unix socket in the temp folder. initdb and postgres refuse to run as root, so as root the
/// folder is given to the <c>postgres</c> system user and the binaries run through runuser (or su). Stopped
/// (<c>pg_ctl stop -m fast</c>) and deleted on dispose.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly string root = Path.Combine(Path.GetTempPath(), $"actorrl-pg-{Guid.NewGuid():N}");
    private string binDir = "";
    private bool asRoot;

    /// <summary>The port the server listens on (127.0.0.1).</summary>
    public int Port { get; private set; }

    /// <summary>Whether the server is running.</summary>
    public bool Running { get; private set; }

    /// <summary>An Npgsql connection string to the <c>postgres</c> database as the <c>postgres</c> superuser. The password is ignored (trust) and is there so tests can check it never shows in messages.</summary>
    public string ConnectionString =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password=not-a-secret-xyz;Database=postgres;Timeout=5;Command Timeout=30;Include Error Detail=true";

    private string DataDir => Path.Combine(root, "data");

    private string LogFile => Path.Combine(root, "server.log");

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        binDir = FindBinaries();
        asRoot = Environment.UserName == "root";
        Directory.CreateDirectory(root);
        try
        {
            if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", root], asPostgres: false);
            await RunPgAsync("initdb", ["-D", DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
            for (int attempt = 1; ; attempt++)
            {
                Port = FreePort();
                try
                {
                    await StartAsync();
                    return;
                }
                catch (InvalidOperationException) when (attempt < 3 && ServerLogTail().Contains("could not bind", StringComparison.OrdinalIgnoreCase))
                {
                    // Someone took the port between the probe and the bind: try another.
                }
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the (stopped) server on <see cref="Port"/> and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        string options = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} -c fsync=off " +
                         "-c shared_buffers=16MB -c max_connections=40 -c max_wal_senders=0 -c wal_level=minimal";
        Running = true; // from here on, a failed start is stopped on dispose
        await RunPgAsync("pg_ctl", ["-D", DataDir, "-l", LogFile, "-o", options, "-w", "-t", "60", "start"]);
        await WaitUntilReadyAsync();
    }

    /// <summary>Stops the server (fast shutdown: open sessions are ended, committed data stays).</summary>
    public async Task StopAsync()
    {
        if (!Running) return;
        Running = false;
        await RunPgAsync("pg_ctl", ["-D", DataDir, "-m", "fast", "-w", "-t", "60", "stop"]);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        try
        {
            if (Running) await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Not running after all (a start that failed): nothing to stop.
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The last lines of the server log, for failure messages.</summary>
    public string ServerLogTail(int lines = 30)
    {
        try
        {
            string[] all = File.ReadAllLines(LogFile);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException e) { return $"(no server log: {e.Message})"; }
        catch (UnauthorizedAccessException e) { return $"(no server log: {e.Message})"; }
    }

    private async Task WaitUntilReadyAsync()
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"PostgreSQL on 127.0.0.1:{Port} does not accept connections: {e.Message}\nserver log:\n{ServerLogTail()}", e);
            }
        }
    }

    private static string FindBinaries()
    {
        const string parent = "/usr/lib/postgresql";
        string? bin = Directory.Exists(parent)
            ? Directory.GetDirectories(parent)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            $"PostgreSQL server binaries (initdb, pg_ctl) not found under {parent}/*/bin; install the Debian package 'postgresql'");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunPgAsync(string tool, IReadOnlyList<string> args) =>
        RunAsync(Path.Combine(binDir, tool), args, asPostgres: asRoot);

    private async Task RunAsync(string program, IReadOnlyList<string> args, bool asPostgres)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        if (!asPostgres)
        {
            start.FileName = program;
            foreach (string a in args) start.ArgumentList.Add(a);
        }
        else if (File.Exists("/usr/sbin/runuser") || File.Exists("/sbin/runuser"))
        {
            start.FileName = File.Exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser";
            foreach (string a in (string[])["-u", "postgres", "--", program, .. args]) start.ArgumentList.Add(a);
        }
        else
        {
            start.FileName = "su";
            foreach (string a in (string[])["postgres", "-s", "/bin/sh", "-c", string.Join(' ', new[] { program }.Concat(args).Select(Quote))]) start.ArgumentList.Add(a);
        }

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        string commandLine = $"{start.FileName} {string.Join(' ', start.ArgumentList)}";
        if (!process.Start()) throw new InvalidOperationException($"could not start: {commandLine}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"timed out after {CommandTimeout.TotalSeconds} s: {commandLine}\n{output}\nserver log:\n{ServerLogTail()}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"exit code {process.ExitCode}: {commandLine}\n{output}\nserver log:\n{ServerLogTail()}");
        }
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
