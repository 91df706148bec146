using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ActorRL.Host.Bench.Transport;

/// <summary>
/// A throw-away RabbitMQ broker (Debian's <c>rabbitmq-server</c> package, run through
/// /usr/lib/rabbitmq/bin/rabbitmq-server as the current user) for measurements and tests: its own folder for config,
/// cookie, mnesia data and logs, free ports for AMQP, Erlang distribution and epmd, everything bound to 127.0.0.1. The
/// broker has a single account, <see cref="UserName"/> with a random <see cref="Password"/>; the <c>guest</c> account
/// is never created. It starts its own epmd in the foreground before the broker: otherwise Erlang starts a daemonized
/// epmd that outlives it. Disposing stops the broker, kills epmd and every process of the instance, and deletes the folder.
/// </summary>
/// <remarks>Depends on the BCL and RabbitMQ.Client only: the Actors tests, which do not reference the Host, compile this
/// file into their own assembly.</remarks>
public sealed class LocalRabbitMq : IAsyncDisposable
{
    /// <summary>The script that starts the broker.</summary>
    public const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    /// <summary>The broker's control tool.</summary>
    public const string CtlScript = "/usr/lib/rabbitmq/bin/rabbitmqctl";

    private const string ErlangRoot = "/usr/lib/erlang";

    // Every process of the instance inherits this variable, including the ones that are not children of the processes
    // started here (a daemonized epmd) or whose command line says nothing (erl_child_setup, inet_gethost): it is how
    // leftovers are found and killed.
    private const string InstanceVariable = "ACTORRL_RABBITMQ_INSTANCE";

    private const int SigKill = 9;
    private const int SigTerm = 15;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan EpmdTimeout = TimeSpan.FromSeconds(10);

    private readonly string instance = Guid.NewGuid().ToString("N");
    private readonly string root;
    private readonly string epmdPath;
    private Process? epmd;
    private Process? server;

    private LocalRabbitMq(string parentFolder, string epmdPath)
    {
        root = Path.Combine(parentFolder, $"actorrl-rabbitmq-{instance}");
        NodeName = $"actorrl-{instance[..12]}@localhost";
        this.epmdPath = epmdPath;
    }

    /// <summary>The AMQP port the broker listens on (127.0.0.1).</summary>
    public int Port { get; private set; }

    /// <summary>The port epmd listens on (127.0.0.1); the broker's command line carries it as <c>-epmd_port</c>.</summary>
    public int EpmdPort { get; private set; }

    /// <summary>The Erlang distribution port of the broker node (127.0.0.1).</summary>
    public int DistributionPort { get; private set; }

    /// <summary>The Erlang node name of the broker, unique to this instance.</summary>
    public string NodeName { get; }

    /// <summary>The folder holding the config, cookie, data and logs of this instance (the broker's HOME).</summary>
    public string Folder => root;

    /// <summary>The broker's only account.</summary>
    public string UserName => "actorrl";

    /// <summary>The random password of <see cref="UserName"/>, new for each instance.</summary>
    public string Password { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>The virtual host the account has full permissions on.</summary>
    public string VirtualHost => "/";

    /// <summary>Whether the broker is running (started and not stopped or killed since).</summary>
    public bool Running { get; private set; }

    /// <summary>An AMQP URI for the broker with the credentials of <see cref="UserName"/> and the vhost URL-encoded.</summary>
    public string AmqpUri =>
        $"amqp://{Uri.EscapeDataString(UserName)}:{Uri.EscapeDataString(Password)}@127.0.0.1:{Port}/{Uri.EscapeDataString(VirtualHost)}";

    private string ServerLog => Path.Combine(root, "server.log");

    private string EpmdLog => Path.Combine(root, "epmd.log");

    /// <summary>A new connection factory for the broker as <see cref="UserName"/>; the caller may change it freely.</summary>
    public ConnectionFactory CreateConnectionFactory() => new()
    {
        HostName = "127.0.0.1",
        Port = Port,
        UserName = UserName,
        Password = Password,
        VirtualHost = VirtualHost,
    };

    /// <summary>Whether the broker's scripts and Erlang's epmd are installed (the Debian package <c>rabbitmq-server</c>).</summary>
    public static bool IsInstalled => File.Exists(ServerScript) && File.Exists(CtlScript) && FindEpmd() is not null;

    /// <summary>
    /// Creates a new folder under <paramref name="parentFolder"/>, starts epmd and a broker on free loopback ports in
    /// it, and waits until the broker accepts AMQP connections. A failed start leaves nothing behind.
    /// </summary>
    /// <exception cref="InvalidOperationException">The broker is not installed, or it did not start (the message holds its log's tail).</exception>
    public static async Task<LocalRabbitMq> StartAsync(string parentFolder, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(parentFolder);
        string epmdPath = FindEpmd() ?? "";
        if (!File.Exists(ServerScript) || !File.Exists(CtlScript) || epmdPath.Length == 0)
        {
            throw new InvalidOperationException(
                $"RabbitMQ server ({ServerScript}, {CtlScript}) or Erlang's epmd ({ErlangRoot}/erts-*/bin/epmd) not found; install the Debian package 'rabbitmq-server'");
        }
        var broker = new LocalRabbitMq(parentFolder, epmdPath);
        try
        {
            await broker.InitializeAsync(cancellationToken).ConfigureAwait(false);
            return broker;
        }
        catch
        {
            await broker.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(root, "mnesia"));
        Directory.CreateDirectory(Path.Combine(root, "log"));
        await File.WriteAllTextAsync(Path.Combine(root, "enabled_plugins"), "[].\n", cancellationToken).ConfigureAwait(false);
        for (int attempt = 1; ; attempt++)
        {
            int[] ports = FreePorts(3);
            (Port, DistributionPort, EpmdPort) = (ports[0], ports[1], ports[2]);
            await WriteConfigAsync(cancellationToken).ConfigureAwait(false);
            File.Delete(ServerLog);
            File.Delete(EpmdLog);
            try
            {
                await StartEpmdAsync(cancellationToken).ConfigureAwait(false);
                await StartAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && PortWasTaken())
            {
                // Someone took a port between the probe and the bind: stop what runs and try other ports.
                Running = false;
                await StopProcessesAsync(keepEpmd: false).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Starts the (stopped or killed) broker on the same ports with the same data, and waits until it accepts AMQP
    /// connections: durable queues and their persistent messages are back.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Running) return;
        if (epmd is null || epmd.HasExited) await StartEpmdAsync(cancellationToken).ConfigureAwait(false);
        Running = true; // from here on, a failed start is stopped on dispose
        server = Launch(ServerScript, [], ServerLog, ServerEnvironment());
        await WaitUntilReadyAsync(server, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the broker the way its start script expects (SIGTERM: connections are closed, queues and message stores
    /// flushed), and kills it if it is still there after 15 s. epmd keeps running for the next <see cref="StartAsync(CancellationToken)"/>.
    /// </summary>
    public async Task StopAsync()
    {
        if (!Running) return;
        Running = false;
        if (server is { HasExited: false })
        {
            // The script traps SIGTERM and forwards it to the Erlang VM, which shuts RabbitMQ down cleanly.
            _ = SendSignal(server.Id, SigTerm);
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await server.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                KillTree(server);
            }
        }
        await StopProcessesAsync(keepEpmd: true).ConfigureAwait(false);
    }

    /// <summary>Kills the broker at once (SIGKILL to the whole process tree), as a crash would; epmd keeps running.</summary>
    public async Task KillAsync()
    {
        if (!Running) return;
        Running = false;
        await StopProcessesAsync(keepEpmd: true).ConfigureAwait(false);
    }

    /// <summary>Stops the broker and epmd, kills every process of the instance and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Running) await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            Running = false;
            try
            {
                await StopProcessesAsync(keepEpmd: false).ConfigureAwait(false);
            }
            finally
            {
                try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    /// <summary>
    /// Runs <c>rabbitmqctl -n <see cref="NodeName"/></c> with <paramref name="args"/> against the running broker
    /// (e.g. <c>list_users</c>, <c>list_queues</c>, <c>close_all_connections</c>) and returns its standard output.
    /// </summary>
    public async Task<string> RabbitMqCtlAsync(params string[] args)
    {
        Dictionary<string, string> environment = ServerEnvironment();
        // The CLI is an Erlang node too; by default it takes a port from the fixed range 35672-35682.
        string ctlPort = FreePorts(1)[0].ToString(CultureInfo.InvariantCulture);
        environment["RABBITMQ_CTL_DIST_PORT_MIN"] = ctlPort;
        environment["RABBITMQ_CTL_DIST_PORT_MAX"] = ctlPort;
        ProcessStartInfo start = StartInfo(CtlScript, ["-n", NodeName, .. args], environment);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        string commandLine = $"rabbitmqctl -n {NodeName} {string.Join(' ', args)}";
        if (!process.Start()) throw new InvalidOperationException($"could not start: {commandLine}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            throw new InvalidOperationException($"timed out after {StartTimeout.TotalSeconds} s: {commandLine}\n{stdout}{stderr}\nserver log:\n{ServerLogTail()}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"exit code {process.ExitCode}: {commandLine}\n{stdout}{stderr}\nserver log:\n{ServerLogTail()}");
        }
        return stdout.ToString();
    }

    /// <summary>The last lines of the broker log (its stdout and stderr), for failure messages.</summary>
    public string ServerLogTail(int lines = 30) => Tail(ServerLog, lines);

    private async Task WaitUntilReadyAsync(Process process, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + StartTimeout;
        ConnectionFactory factory = CreateConnectionFactory();
        factory.AutomaticRecoveryEnabled = false;
        factory.RequestedConnectionTimeout = TimeSpan.FromSeconds(5);
        factory.ClientProvidedName = "actorrl-readiness-probe";
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"RabbitMQ (node {NodeName}) exited with code {process.ExitCode} before accepting connections on 127.0.0.1:{Port}\nserver log:\n{ServerLogTail()}");
            }
            try
            {
                IConnection connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    await connection.CloseAsync(cancellationToken).ConfigureAwait(false);
                }
                return;
            }
            catch (Exception e) when (e is BrokerUnreachableException or OperationInterruptedException or IOException or SocketException
                                      && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
            {
                // The listener opens only at the end of the boot: refused connections are the normal case for a few seconds.
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    $"RabbitMQ on 127.0.0.1:{Port} (node {NodeName}) does not accept AMQP connections after {StartTimeout.TotalSeconds} s: {Describe(e)}\nserver log:\n{ServerLogTail()}", e);
            }
        }
    }

    private async Task StartEpmdAsync(CancellationToken cancellationToken)
    {
        if (epmd is not null) KillTree(epmd);
        epmd?.Dispose();
        // No -daemon: a foreground epmd is a child of this process, which can then kill it.
        epmd = Launch(epmdPath, ["-port", EpmdPort.ToString(CultureInfo.InvariantCulture), "-address", "127.0.0.1"],
            EpmdLog, ServerEnvironment());
        DateTime deadline = DateTime.UtcNow + EpmdTimeout;
        while (true)
        {
            // epmd exits silently (code 0, nothing logged) when its port is taken.
            if (epmd.HasExited)
            {
                throw new InvalidOperationException(
                    $"epmd on 127.0.0.1:{EpmdPort} exited with code {epmd.ExitCode} (port taken?)\nepmd log:\n{Tail(EpmdLog, 30)}");
            }
            try
            {
                if (await EpmdAnswersAsync().ConfigureAwait(false) && !epmd.HasExited) return;
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && DateTime.UtcNow < deadline)
            {
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                throw new InvalidOperationException(
                    $"epmd does not answer on 127.0.0.1:{EpmdPort} after {EpmdTimeout.TotalSeconds} s: {e.Message}\nepmd log:\n{Tail(EpmdLog, 30)}", e);
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"something other than epmd answers on 127.0.0.1:{EpmdPort}\nepmd log:\n{Tail(EpmdLog, 30)}");
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Asks for the registered names (NAMES_REQ): an epmd answers with its own port first, which tells it apart from
    /// whatever else might have taken the port before epmd noticed and exited.
    /// </summary>
    private async Task<bool> EpmdAnswersAsync()
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await client.ConnectAsync(IPAddress.Loopback, EpmdPort, timeout.Token).ConfigureAwait(false);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 0, 1, (byte)'n' }, timeout.Token).ConfigureAwait(false);
        byte[] reply = new byte[4];
        await stream.ReadExactlyAsync(reply, timeout.Token).ConfigureAwait(false);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(reply) == EpmdPort;
    }

    private Task WriteConfigAsync(CancellationToken cancellationToken) => File.WriteAllTextAsync(Path.Combine(root, "rabbitmq.conf"), $"""
        listeners.tcp.default = 127.0.0.1:{Port}
        # With default_user set, the guest account is not created at all.
        default_user = {UserName}
        default_pass = {Password}
        default_vhost = {VirtualHost}
        default_permissions.configure = .*
        default_permissions.read = .*
        default_permissions.write = .*
        # The log goes to stdout (RABBITMQ_LOGS=-), which is captured into server.log.
        log.console = true
        log.console.level = info
        log.file = false
        # A nearly full /tmp must not block publishers (the default alarm is at 50 MB free).
        disk_free_limit.absolute = 1MB

        """, cancellationToken);

    private Dictionary<string, string> ServerEnvironment() => new()
    {
        [InstanceVariable] = instance,
        // Erlang writes the cookie into HOME: keep it out of the real home.
        ["HOME"] = root,
        ["RABBITMQ_NODENAME"] = NodeName,
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(root, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(root, "log"),
        ["RABBITMQ_CONFIG_FILE"] = Path.Combine(root, "rabbitmq"), // the broker adds .conf
        ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(root, "advanced.config"), // absent: not /etc/rabbitmq's
        ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(root, "rabbitmq-env.conf"), // absent: not /etc/rabbitmq's
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(root, "enabled_plugins"),
        ["RABBITMQ_PID_FILE"] = Path.Combine(root, "rabbitmq.pid"),
        ["RABBITMQ_LOGS"] = "-",
        ["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(CultureInfo.InvariantCulture),
        ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
        ["ERL_EPMD_PORT"] = EpmdPort.ToString(CultureInfo.InvariantCulture),
        ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
    };

    /// <summary>
    /// Starts <paramref name="program"/> with its stdin from /dev/null and its stdout and stderr appended to
    /// <paramref name="logFile"/> by the shell, not through pipes: the Erlang VM's children inherit those descriptors
    /// and would otherwise keep a pipe (and the reader waiting on it) open after the VM is gone.
    /// </summary>
    private Process Launch(string program, IReadOnlyList<string> args, string logFile, Dictionary<string, string> environment)
    {
        ProcessStartInfo start = StartInfo("/bin/sh", ["-c", "log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1", "sh", logFile, program, .. args], environment);
        var process = new Process { StartInfo = start };
        if (!process.Start()) throw new InvalidOperationException($"could not start: {program} {string.Join(' ', args)}");
        return process;
    }

    private ProcessStartInfo StartInfo(string program, IReadOnlyList<string> args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo { FileName = program, WorkingDirectory = root, UseShellExecute = false };
        foreach (string a in args) start.ArgumentList.Add(a);
        // A RABBITMQ_* or ERL_* variable of this process (a developer's own broker setup) must not leak in.
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("RABBITMQ_", StringComparison.Ordinal) ||
                                                                  k.StartsWith("ERL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }
        foreach ((string key, string value) in environment) start.Environment[key] = value;
        return start;
    }

    /// <summary>
    /// Kills the broker's process tree (and epmd's unless <paramref name="keepEpmd"/>), then every other process that
    /// carries this instance's marker variable, and waits until they are gone.
    /// </summary>
    private async Task StopProcessesAsync(bool keepEpmd)
    {
        if (server is not null)
        {
            KillTree(server);
            server.Dispose();
            server = null;
        }
        if (!keepEpmd && epmd is not null)
        {
            KillTree(epmd);
            epmd.Dispose();
            epmd = null;
        }
        int? spared = keepEpmd && epmd is { HasExited: false } ? epmd.Id : null;
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            List<int> left = InstanceProcesses().Where(pid => pid != spared).ToList();
            if (left.Count == 0) return;
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"RabbitMQ processes of node {NodeName} survive SIGKILL: {string.Join(", ", left)}");
            }
            foreach (int pid in left) _ = SendSignal(pid, SigKill);
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    /// <summary>Live processes (not zombies, whose environment reads empty) with this instance's marker variable.</summary>
    private List<int> InstanceProcesses()
    {
        byte[] marker = Encoding.UTF8.GetBytes($"{InstanceVariable}={instance}\0");
        var found = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == Environment.ProcessId) continue;
            try
            {
                byte[] environ = File.ReadAllBytes(Path.Combine(dir, "environ"));
                if (environ.AsSpan().IndexOf(marker) >= 0) found.Add(pid);
            }
            catch (IOException) { } // gone meanwhile
            catch (UnauthorizedAccessException) { } // another user's: not ours
        }
        return found;
    }

    private static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { } // exited meanwhile
        catch (System.ComponentModel.Win32Exception) { }
    }

    private bool PortWasTaken()
    {
        string logs = Tail(ServerLog, 200) + "\n" + Tail(EpmdLog, 50);
        return epmd is { HasExited: true } ||
               logs.Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase) || // the AMQP listener
               logs.Contains("dist_port_already_used", StringComparison.Ordinal) ||
               logs.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
    }

    private static string? FindEpmd() =>
        Directory.Exists(ErlangRoot)
            ? Directory.GetDirectories(ErlangRoot, "erts-*")
                .Select(d => Path.Combine(d, "bin", "epmd"))
                .Where(File.Exists)
                .OrderByDescending(p => p, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;

    /// <summary>Distinct free ports, probed while all are held so the OS cannot hand out one twice.</summary>
    private static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (TcpListener listener in listeners) listener.Stop();
        }
    }

    private static string Tail(string file, int lines)
    {
        try
        {
            string[] all = File.ReadAllLines(file);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException e) { return $"(no log: {e.Message})"; }
        catch (UnauthorizedAccessException e) { return $"(no log: {e.Message})"; }
    }

    private static string Describe(Exception e)
    {
        var text = new StringBuilder($"{e.GetType().Name}: {e.Message}");
        for (Exception? inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            text.Append($" -> {inner.GetType().Name}: {inner.Message}");
        }
        return text.ToString();
    }

    private static bool SendSignal(int pid, int signal) => Kill(pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
