using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ActorRL.Actors.Persistence;
using ActorRL.Actors.Rlhf.Journal;
using ActorRL.Actors.Tests.Cluster;
using ActorRL.Actors.Tests.Persistence;
using ActorRL.Host.Cli;
using ActorRL.Host.Tests.Cli;
using ActorRL.Host.Tests.Reports;
using Npgsql;
using Xunit.Abstractions;

namespace ActorRL.Host.Tests.Cluster;

/// <summary>
/// The multi-process cluster tests load libtorch in five processes at once: they run alone, after the other Host tests,
/// and share one RabbitMQ and one PostgreSQL server.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterProcessCollection : ICollectionFixture<ClusterServers>
{
    public const string Name = "cluster-processes";
}

/// <summary>A real RabbitMQ broker and a real PostgreSQL server for the cluster tests; a fresh database per test.</summary>
public sealed class ClusterServers : IAsyncLifetime
{
    public RabbitMqServer Broker { get; } = new();

    public PostgresServer Postgres { get; } = new();

    public async Task InitializeAsync()
    {
        try
        {
            await Task.WhenAll(Broker.InitializeAsync(), Postgres.InitializeAsync());
        }
        catch
        {
            // One may have started while the other failed: stop it now, the fixture is not disposed after a failed start.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Broker.DisposeAsync();
        }
        finally
        {
            await Postgres.DisposeAsync();
        }
    }

    /// <summary>Creates a new, empty database and returns the connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(Postgres.ConnectionString + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(Postgres.ConnectionString) { Database = name }.ConnectionString;
    }
}

/// <summary>
/// Acceptance of a run on a cluster of <c>actorrl</c> processes: <c>actorrl node</c> processes with their roles, a real
/// RabbitMQ between them, the run journal in a real PostgreSQL, and <c>actorrl train</c> asking the cluster to run a
/// smoke-size DRTO configuration (config/drto.json shrunk with the same <c>--set</c> list on every process). Nodes are
/// SIGKILLed mid-run; the journal must still hold every step once and every sample in exactly one step.
/// </summary>
[Collection(ClusterProcessCollection.Name)]
public sealed partial class ClusterProcessTests(ClusterServers servers, ITestOutputHelper output) : IAsyncLifetime
{
    private const int PromptsPerStep = 8;
    private const int SamplesPerPrompt = 4;

    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(180);

    private readonly TempDir dir = new();
    private readonly string cluster = $"cp-{Guid.NewGuid():N}"[..15];
    private readonly List<ActorRlProcess.Child> children = [];
    private string journal = "";
    private string configFile = "";

    public async Task InitializeAsync()
    {
        journal = await servers.CreateDatabaseAsync(cluster.Replace('-', '_'));
        configFile = Path.Combine(dir.Path, "cluster.json");
        JsonNode config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(ActorRlProcess.RepositoryRoot, "config", "drto.json")))!;
        config["run"]!["dir"] = Path.Combine(dir.Path, "run");
        config["cluster"] = new JsonObject
        {
            ["name"] = cluster,
            ["broker"] = new JsonObject
            {
                ["host"] = "127.0.0.1",
                ["port"] = servers.Broker.Port,
                ["vhost"] = servers.Broker.VirtualHost,
                ["user"] = servers.Broker.UserName,
                // The password comes from ACTORRL_CLUSTER__BROKER__PASSWORD, as the documentation advises.
            },
            ["journal"] = journal,
        };
        await File.WriteAllTextAsync(configFile, config.ToJsonString());
    }

    public Task DisposeAsync()
    {
        // The client first (it would otherwise see its nodes go), then every node, whatever the test's outcome.
        foreach (ActorRlProcess.Child child in Enumerable.Reverse(children)) child.Dispose();
        foreach (ActorRlProcess.Child child in children) output.WriteLine(child.Tail(child.Name == "train" ? 60 : 15));
        NpgsqlConnection.ClearAllPools();
        dir.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The smoke-size overrides every process of a test gets, identically (the config hash must match). RL steps take a
    /// few hundred milliseconds on two cores (32 samples of up to 48 tokens, width 64), so that a kill after step 2 of 12
    /// lands with steps left, and a node started after step 2 of 32 joins while there is still generation to do.
    /// </summary>
    private static string[] Smoke(int steps) =>
    [
        "--set", "model.layers=1", "--set", "model.width=64", "--set", "model.heads=2",
        "--set", "stages.sft.steps=3", "--set", "stages.sft.warmup_steps=1", "--set", "stages.dpo.steps=2",
        "--set", "task.sft_examples=32", "--set", "task.preference_pairs=8",
        "--set", $"rl.steps={steps.ToString(CultureInfo.InvariantCulture)}", "--set", $"rl.prompts_per_step={PromptsPerStep}",
        "--set", $"rl.samples_per_prompt={SamplesPerPrompt}", "--set", "rl.generation.max_new_tokens=48",
        "--set", "eval.examples=0", "--set", "run.checkpoint_every=1", "--set", "torch.threads=1",
        "--set", "cluster.heartbeat_interval_s=0.5", "--set", "cluster.failure_timeout_s=2",
    ];

    private ActorRlProcess.Child Start(string name, int steps, params string[] command)
    {
        var environment = new Dictionary<string, string> { ["ACTORRL_CLUSTER__BROKER__PASSWORD"] = servers.Broker.Password };
        ActorRlProcess.Child child = ActorRlProcess.Start(name, dir.Path, environment, [.. command, "--config", configFile, .. Smoke(steps)]);
        children.Add(child);
        return child;
    }

    /// <summary>Starts <c>actorrl node</c> processes at once and waits until each has joined.</summary>
    private async Task<ActorRlProcess.Child[]> StartNodesAsync(int steps, params (string Name, string Roles)[] nodes)
    {
        ActorRlProcess.Child[] started = [.. nodes.Select(n => Start(n.Name, steps, "node", "--roles", n.Roles, "--name", n.Name))];
        await Task.WhenAll(started.Select((child, i) => child.WaitForLineAsync(
            line => line == $"node {nodes[i].Name} joined cluster {cluster} with roles [{nodes[i].Roles.Replace(",", ", ", StringComparison.Ordinal)}]",
            JoinTimeout, "the joined line")));
        return started;
    }

    private ActorRlProcess.Child StartTrain(int steps) => Start("train", steps, "train");

    /// <summary>Waits for the train client's first line of an RL step of at least <paramref name="step"/>; that line.</summary>
    private static Task<string> WaitForStepAsync(ActorRlProcess.Child train, int step, string? coordinator = null) =>
        train.WaitForLineAsync(line => StepLine().Match(line) is { Success: true } m && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) >= step
                                       && (coordinator is null || line.Contains($"(coordinator: {coordinator})", StringComparison.Ordinal)),
            RunTimeout, $"an RL step line of step {step} or later{(coordinator is null ? "" : $" with coordinator {coordinator}")}");

    /// <summary>Waits for the client to finish and checks it ended the run at <paramref name="steps"/>; its end line.</summary>
    private async Task<string> WaitForRunEndAsync(ActorRlProcess.Child train, int steps)
    {
        int exit = await train.WaitForExitAsync(RunTimeout);
        Assert.True(exit == ExitCodes.Success, $"actorrl train exited with {exit}\n{Tails()}");
        Match ended = RunEndedLine().Match(train.Stdout);
        Assert.True(ended.Success, $"no 'run ended at step' line\n{Tails()}");
        Assert.True(ended.Groups[1].Value == steps.ToString(CultureInfo.InvariantCulture), $"the run ended at step {ended.Groups[1].Value}, not {steps}\n{Tails()}");
        return ended.Value;
    }

    /// <summary>
    /// The journal in PostgreSQL: steps 1..<paramref name="steps"/> once each, finished, and every sample of the run in
    /// exactly one step. Returns the history for more checks.
    /// </summary>
    private async Task<RunHistory> AssertJournalAsync(int steps)
    {
        RunHistory history;
        await using (SqlPersistence stores = SqlPersistence.OpenPostgres(journal))
        {
            history = await RunJournal.ReadAsync(stores.Journal);
        }
        string summary = $"journal: {history.Attempts} attempt(s), finished {history.Finished}, steps [{string.Join(", ", history.Steps.Select(s => s.Step))}], "
                         + $"checkpoints [{string.Join(", ", history.Checkpoints.Select(c => c.Step))}]\n{Tails()}";
        Assert.True(history.Finished, summary);
        Assert.True(history.Steps.Select(s => s.Step).SequenceEqual(Enumerable.Range(1, steps).Select(i => (long)i)), summary);
        List<long> ids = [.. history.Steps.SelectMany(s => s.SampleIds)];
        Assert.True(ids.Count == steps * PromptsPerStep * SamplesPerPrompt, $"{ids.Count} samples, not {steps} × {PromptsPerStep} × {SamplesPerPrompt}; {summary}");
        List<long> twice = [.. ids.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key)];
        Assert.True(twice.Count == 0, $"samples trained in more than one step: {string.Join(", ", twice)}; {summary}");
        return history;
    }

    private string Tails() => string.Join("\n", children.Select(c => c.Tail()));

    /// <summary>A step line must not have been the last: the kill lands while steps remain.</summary>
    private void AssertMidRun(ActorRlProcess.Child train, string stepLine, int steps)
    {
        int step = int.Parse(StepLine().Match(stepLine).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(step < steps && !train.HasExited && !RunEndedLine().IsMatch(train.Stdout),
            $"the run was at step {step} of {steps} (or over) when the kill was due: steps are too fast for this test\n{Tails()}");
    }

    [Fact]
    public async Task FourNodesRunTheRunToCompletionAndTheJournalHoldsEverySampleOnce()
    {
        const int steps = 4;
        await StartNodesAsync(steps, ("main", "coordinator,learner"), ("scorer", "reference,reward"), ("rollout-a", "rollout"), ("rollout-b", "rollout"));
        ActorRlProcess.Child train = StartTrain(steps);

        string ended = await WaitForRunEndAsync(train, steps);
        Assert.Contains("coordinator: main", ended, StringComparison.Ordinal);
        List<int> shown = [.. StepLine().Matches(train.Stdout).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];
        Assert.True(shown.SequenceEqual(Enumerable.Range(1, steps)), $"step lines {string.Join(", ", shown)}\n{Tails()}");
        Assert.All(StepLine().Matches(train.Stdout), m => Assert.Equal($"/{steps}", m.Groups[2].Value));
        await AssertJournalAsync(steps);

        // status, with the nodes still up: the four members with their roles, the coordinator's node, the finished run.
        ActorRlProcess.Child status = Start("status", steps, "status");
        int exit = await status.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == ExitCodes.Success, $"actorrl status exited with {exit}\n{status.Tail()}");
        string[] lines = [.. status.Stdout.Split('\n').Select(l => l.Trim())];
        foreach ((string node, string roles) in new[] { ("main", "coordinator, learner"), ("scorer", "reference, reward"), ("rollout-a", "rollout"), ("rollout-b", "rollout") })
        {
            Assert.True(lines.Any(l => Regex.IsMatch(l, $@"^{Regex.Escape(node)}\s+{Regex.Escape(roles)}$")), $"status does not list {node} with roles {roles}\n{status.Tail()}");
        }
        Assert.Contains("coordinator: main", lines);
        Assert.Contains(lines, l => l.StartsWith($"run: step {steps} of {steps}", StringComparison.Ordinal) && l.Contains("finished", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARolloutNodeKilledMidRunLosesNothingAndRepeatsNothing()
    {
        const int steps = 12;
        ActorRlProcess.Child[] nodes = await StartNodesAsync(steps,
            ("main", "coordinator,learner"), ("scorer", "reference,reward"), ("rollout-a", "rollout"), ("rollout-b", "rollout"));
        ActorRlProcess.Child train = StartTrain(steps);

        string line = await WaitForStepAsync(train, 2);
        AssertMidRun(train, line, steps);
        nodes[2].Signal("KILL");
        output.WriteLine($"SIGKILL rollout-a after: {line}");

        await WaitForRunEndAsync(train, steps);
        await AssertJournalAsync(steps);
        Assert.NotEqual(0, await nodes[2].WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task TheCoordinatorsNodeKilledMidRunFailsOverToTheStandbyWhichFinishesTheRun()
    {
        const int steps = 12;
        // main first, so that it holds the coordinator singleton; the standby can take every role of main and scorer.
        ActorRlProcess.Child[] main = await StartNodesAsync(steps, ("main", "coordinator,learner"));
        await StartNodesAsync(steps, ("standby", "coordinator,learner,reference,reward"), ("rollout-a", "rollout"), ("rollout-b", "rollout"));
        ActorRlProcess.Child train = StartTrain(steps);

        string line = await WaitForStepAsync(train, 2, coordinator: "main");
        AssertMidRun(train, line, steps);
        main[0].Signal("KILL");
        output.WriteLine($"SIGKILL main after: {line}");

        string ended = await WaitForRunEndAsync(train, steps);
        Assert.True(ended.EndsWith("coordinator: standby", StringComparison.Ordinal), $"{ended}\n{Tails()}");
        RunHistory history = await AssertJournalAsync(steps);
        Assert.True(history.Attempts >= 2, $"{history.Attempts} attempt(s) in the journal\n{Tails()}");
        Assert.Equal(steps, history.Checkpoints[^1].Step);
    }

    [Fact]
    public async Task ARolloutNodeThatJoinsMidRunReceivesGenerationWork()
    {
        const int steps = 32;
        await StartNodesAsync(steps, ("main", "coordinator,learner"), ("scorer", "reference,reward"), ("rollout-a", "rollout"));
        ActorRlProcess.Child train = StartTrain(steps);

        string line = await WaitForStepAsync(train, 2);
        AssertMidRun(train, line, steps);
        output.WriteLine($"starting rollout-late after: {line}");
        ActorRlProcess.Child[] late = await StartNodesAsync(steps, ("rollout-late", "rollout"));

        await WaitForRunEndAsync(train, steps);
        await AssertJournalAsync(steps);
        Assert.True(late[0].Output.Contains("node rollout-late took its first generation chunk", StringComparison.Ordinal),
            $"rollout-late never generated\n{Tails()}");
    }

    [GeneratedRegex(@"^step (\d+)(/\d+)", RegexOptions.Multiline)]
    private static partial Regex StepLine();

    [GeneratedRegex(@"^run ended at step (\d+).*$", RegexOptions.Multiline)]
    private static partial Regex RunEndedLine();
}
