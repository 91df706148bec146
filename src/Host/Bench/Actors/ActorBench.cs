using System.Globalization;
using ActorRL.Host.Diagnostics;

namespace ActorRL.Host.Bench.Actors;

/// <summary>
/// <c>actorrl bench actors</c>: message passing through the actor kernel against the same pattern
/// written with bare <see cref="System.Threading.Channels.Channel{T}"/>s and tasks (the practical limit of
/// the channels the mailboxes are built on), measured in turn in one run and reported as medians and ratios.
/// </summary>
public static class ActorBench
{
    /// <summary>The version built on the actor kernel.</summary>
    public const string Actor = "actor";

    /// <summary>The reference version on bare channels and tasks.</summary>
    public const string Channel = "channel";

    /// <summary>The workloads, each in both versions, the actor version first.</summary>
    public static IReadOnlyList<ActorBenchMeasurement> Measurements(ActorBenchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            Throughput("pingpong", Actor, "1 pair of ReceiveActors", "pingpong_actor",
                s => new ActorPingPong(1, s.ActorThroughput)),
            Throughput("pingpong", Channel, "1 pair of tasks on 2 channels", "pingpong_channel",
                _ => new ChannelPingPong(1)),
            Throughput("pingpong_pairs", Actor, $"{settings.Pairs} pairs of ReceiveActors", "pingpong_pairs_actor",
                s => new ActorPingPong(s.Pairs, s.ActorThroughput)),
            Throughput("pingpong_pairs", Channel, $"{settings.Pairs} pairs of tasks", "pingpong_pairs_channel",
                s => new ChannelPingPong(s.Pairs)),
            Throughput("fanout", Actor, $"1 producer to {settings.Consumers} ReceiveActors", "fanout_actor",
                s => new ActorFanOut(s.Consumers, s.ActorThroughput)),
            Throughput("fanout", Channel, $"1 producer to {settings.Consumers} channels", "fanout_channel",
                s => new ChannelFanOut(s.Consumers)),
            Latency("ask", Actor, "sequential Ask to an echo actor", "ask",
                s => new ActorAsk(s.ActorThroughput)),
            Latency("ask", Channel, "request channel + TaskCompletionSource", "channel_request",
                _ => new ChannelRequest()),
        ];
    }

    /// <summary>
    /// Runs every measurement once untimed (short: the warm-up time) so that the JIT has compiled
    /// both versions, then once per round. In a round the two versions of a workload run back to back,
    /// and which goes first alternates from round to round, so that drift over the run (turbo, other
    /// load) is spread over both.
    /// </summary>
    /// <returns>Every round's value of every figure, by the figure's name.</returns>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<double>>> RunAsync(
        IReadOnlyList<ActorBenchMeasurement> measurements, ActorBenchSettings settings, IActorBenchProgress? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        ArgumentNullException.ThrowIfNull(settings);
        ActorBenchSettings warmup = settings with { Seconds = settings.WarmupSeconds };
        foreach (ActorBenchMeasurement m in measurements)
        {
            progress?.Starting(m, -1);
            await RunOnceAsync(m, warmup, cancellationToken);
            progress?.Finished(m, -1);
        }

        var samples = new Dictionary<string, List<double>>();
        List<ActorBenchMeasurement>[] workloads = [.. measurements.GroupBy(m => m.Benchmark).Select(g => g.ToList())];
        for (int round = 0; round < settings.Rounds; round++)
        {
            foreach (List<ActorBenchMeasurement> versions in workloads)
            {
                for (int i = 0; i < versions.Count; i++)
                {
                    ActorBenchMeasurement m = versions[(round + i) % versions.Count];
                    progress?.Starting(m, round);
                    foreach ((string name, double value) in await RunOnceAsync(m, settings, cancellationToken))
                    {
                        if (!samples.TryGetValue(name, out List<double>? values)) samples[name] = values = [];
                        values.Add(value);
                    }
                    progress?.Finished(m, round);
                }
            }
        }
        return samples.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value);
    }

    /// <summary>Rounds of one figure that differ by more than this fraction of their median make it suspect.</summary>
    public const double SpreadWarning = 0.25;

    /// <summary>Medians over the rounds, the ratios, the machine they were measured on, and warnings.</summary>
    /// <param name="samples">What <see cref="RunAsync"/> returned.</param>
    /// <param name="settings">The settings it ran with.</param>
    /// <param name="loadAverageAtStart">The 1-minute load average before it started (see <see cref="MachineInfo.LoadAverage"/>).</param>
    public static ActorBenchReport Summarize(IReadOnlyDictionary<string, IReadOnlyList<double>> samples, ActorBenchSettings settings,
        double? loadAverageAtStart)
    {
        ArgumentNullException.ThrowIfNull(samples);
        double Median(string name) => Statistics.Median([.. samples[name]]);
        var figures = new ActorBenchFigures(
            Median("pingpong_actor_msgs_per_s"),
            Median("pingpong_channel_msgs_per_s"),
            Median("pingpong_pairs_actor_msgs_per_s"),
            Median("pingpong_pairs_channel_msgs_per_s"),
            Median("fanout_actor_msgs_per_s"),
            Median("fanout_channel_msgs_per_s"),
            Median("ask_p50_us"),
            Median("ask_p99_us"),
            Median("channel_request_p50_us"),
            Median("channel_request_p99_us"));
        var ratios = new ActorBenchRatios(
            figures.PingpongActorMsgsPerS / figures.PingpongChannelMsgsPerS,
            figures.PingpongPairsActorMsgsPerS / figures.PingpongPairsChannelMsgsPerS,
            figures.FanoutActorMsgsPerS / figures.FanoutChannelMsgsPerS,
            figures.AskP50Us / figures.ChannelRequestP50Us,
            figures.AskP99Us / figures.ChannelRequestP99Us);
        MachineInfo machine = MachineInfo.Current();
        return new ActorBenchReport(
            DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            machine,
            settings,
            figures,
            ratios,
            samples,
            loadAverageAtStart,
            Warnings(samples, machine, loadAverageAtStart));
    }

    private static List<string> Warnings(IReadOnlyDictionary<string, IReadOnlyList<double>> samples, MachineInfo machine,
        double? loadAverageAtStart)
    {
        var warnings = new List<string>();
        if (loadAverageAtStart is double load && load >= machine.Cores / 2.0)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"the load average was {load:F1} on {machine.Cores} cores before the first measurement: other work competes with the threads being timed"));
        }
        var spreads = samples
            .Select(kv => (Name: kv.Key, Spread: (kv.Value.Max() - kv.Value.Min()) / Statistics.Median([.. kv.Value])))
            .Where(s => s.Spread > SpreadWarning)
            .Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name} ({s.Spread:P0})"))
            .ToList();
        if (spreads.Count > 0)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"rounds differ by more than {SpreadWarning:P0} of their median for {string.Join(", ", spreads)}: "
                + $"the machine's load or scheduling changed during the run; repeat on an idle machine or with more --rounds"));
        }
        return warnings;
    }

    private static async Task<IReadOnlyDictionary<string, double>> RunOnceAsync(ActorBenchMeasurement measurement,
        ActorBenchSettings settings, CancellationToken cancellationToken)
    {
        // Each run starts on a clean heap, so that it does not pay for collecting the previous one's garbage.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return await measurement.RunAsync(settings, cancellationToken);
    }

    private static ActorBenchMeasurement Throughput(string benchmark, string version, string description, string figure,
        Func<ActorBenchSettings, IThroughputWorkload> create) =>
        new(benchmark, version, description, async (settings, cancellationToken) =>
        {
            await using IThroughputWorkload workload = create(settings);
            double rate = await ThroughputMeter.MeasureAsync(workload, $"{benchmark} ({version})",
                TimeSpan.FromSeconds(settings.WarmupSeconds), TimeSpan.FromSeconds(settings.Seconds), cancellationToken);
            return new Dictionary<string, double> { [figure + "_msgs_per_s"] = rate };
        });

    private static ActorBenchMeasurement Latency(string benchmark, string version, string description, string figure,
        Func<ActorBenchSettings, ILatencyWorkload> create) =>
        new(benchmark, version, description, async (settings, cancellationToken) =>
        {
            await using ILatencyWorkload workload = create(settings);
            (double p50, double p99) = await LatencyMeter.MeasureAsync(workload,
                TimeSpan.FromSeconds(settings.WarmupSeconds), TimeSpan.FromSeconds(settings.Seconds), cancellationToken);
            return new Dictionary<string, double> { [figure + "_p50_us"] = p50, [figure + "_p99_us"] = p99 };
        });
}
