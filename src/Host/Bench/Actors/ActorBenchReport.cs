using ActorRL.Host.Diagnostics;

namespace ActorRL.Host.Bench.Actors;

/// <summary>The result of <c>actorrl bench actors</c>, as written to its JSON file.</summary>
/// <param name="Timestamp">When the run finished, in UTC (ISO 8601).</param>
/// <param name="Machine">Processor, cores, operating system, runtime.</param>
/// <param name="Settings">Seconds, rounds, pairs, consumers, actor throughput.</param>
/// <param name="Figures">Medians over the rounds.</param>
/// <param name="Ratios">Actor version over channel version, from the medians.</param>
/// <param name="Samples">Every round's value of every figure, by the figure's name.</param>
/// <param name="LoadAverageAtStart">The machine's 1-minute load average before the first measurement (null where unknown).</param>
/// <param name="Warnings">Reasons to distrust the figures: rounds that disagree, a machine busy with other work.</param>
public sealed record ActorBenchReport(
    string Timestamp,
    MachineInfo Machine,
    ActorBenchSettings Settings,
    ActorBenchFigures Figures,
    ActorBenchRatios Ratios,
    IReadOnlyDictionary<string, IReadOnlyList<double>> Samples,
    double? LoadAverageAtStart,
    IReadOnlyList<string> Warnings);

/// <summary>Medians over the rounds. A ping-pong message is one Tell (or channel write): a round trip is two.</summary>
/// <param name="PingpongActorMsgsPerS">One pair of actors bouncing a message.</param>
/// <param name="PingpongChannelMsgsPerS">One pair of tasks bouncing it over two channels.</param>
/// <param name="PingpongPairsActorMsgsPerS">All messages of <see cref="ActorBenchSettings.Pairs"/> actor pairs at once.</param>
/// <param name="PingpongPairsChannelMsgsPerS">All messages of as many task pairs at once.</param>
/// <param name="FanoutActorMsgsPerS">One producer telling <see cref="ActorBenchSettings.Consumers"/> actors, until all counted.</param>
/// <param name="FanoutChannelMsgsPerS">The same producer writing to as many channels drained by tasks.</param>
/// <param name="AskP50Us">Median round trip of sequential Asks to an echo actor, in microseconds.</param>
/// <param name="AskP99Us">99th percentile of those round trips, in microseconds.</param>
/// <param name="ChannelRequestP50Us">Median round trip of a request over a channel answered through a TaskCompletionSource.</param>
/// <param name="ChannelRequestP99Us">99th percentile of those round trips.</param>
public sealed record ActorBenchFigures(
    double PingpongActorMsgsPerS,
    double PingpongChannelMsgsPerS,
    double PingpongPairsActorMsgsPerS,
    double PingpongPairsChannelMsgsPerS,
    double FanoutActorMsgsPerS,
    double FanoutChannelMsgsPerS,
    double AskP50Us,
    double AskP99Us,
    double ChannelRequestP50Us,
    double ChannelRequestP99Us);

/// <summary>Actor version over channel version.</summary>
/// <param name="PingpongActorOverChannel">Throughput ratio of one pair (1.0 = as fast as bare channels; the goal is 0.5 or more).</param>
/// <param name="PingpongPairsActorOverChannel">Throughput ratio of the pairs playing at once.</param>
/// <param name="FanoutActorOverChannel">Throughput ratio of the fan-out.</param>
/// <param name="AskP50ActorOverChannel">Latency ratio of the medians (above 1.0: Ask is slower).</param>
/// <param name="AskP99ActorOverChannel">Latency ratio of the 99th percentiles.</param>
public sealed record ActorBenchRatios(
    double PingpongActorOverChannel,
    double PingpongPairsActorOverChannel,
    double FanoutActorOverChannel,
    double AskP50ActorOverChannel,
    double AskP99ActorOverChannel);
