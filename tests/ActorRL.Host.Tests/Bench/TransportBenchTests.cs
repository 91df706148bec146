using System.Text.Json;
using ActorRL.Host.Bench.Transport;
using ActorRL.Host.Cli;
using ActorRL.Host.Diagnostics;
using ActorRL.Host.Tests.Cli;
using ActorRL.Host.Tests.Reports;

namespace ActorRL.Host.Tests.Bench;

public sealed class TransportBenchTests
{
    private static readonly MachineInfo Machine = new("cpu", 2, "os", "runtime");

    [Fact]
    public void FiguresAndRatiosAreComputedFromTheMedianRounds()
    {
        var settings = new TransportBenchSettings(Rollouts: 1000, WeightsMegabytes: 40, Rounds: 3);
        TransportRound[] rounds =
        [
            new(0, TransportBench.ClusterFirst, RolloutSeconds: 0.5, RawRolloutSeconds: 0.2, WeightsSeconds: 0.4, RawWeightsSeconds: 0.1),
            new(1, TransportBench.RawFirst, RolloutSeconds: 0.2, RawRolloutSeconds: 0.1, WeightsSeconds: 0.2, RawWeightsSeconds: 0.3),
            new(2, TransportBench.ClusterFirst, RolloutSeconds: 0.25, RawRolloutSeconds: 0.4, WeightsSeconds: 0.8, RawWeightsSeconds: 0.16),
        ];

        TransportBenchReport report = TransportBench.Summarize(settings, rounds, 2000, "broker", Machine);

        // Medians: rollouts 0.25 s and raw 0.2 s; weights 0.4 s and raw 0.16 s.
        TransportFigures f = report.Figures;
        Assert.Equal(2000, f.RolloutMessageBytes);
        Assert.Equal(4000, f.RolloutMessagesPerS, 9);     // 1000 / 0.25
        Assert.Equal(5000, f.RawRolloutMessagesPerS, 9);  // 1000 / 0.2
        Assert.Equal(40, f.WeightsMegabytes, 9);
        Assert.Equal(100, f.WeightsMbPerS, 9);            // 40 / 0.4
        Assert.Equal(250, f.RawWeightsMbPerS, 9);         // 40 / 0.16
        Assert.Equal(0.8, report.Ratios.RolloutsOverRaw, 12);
        Assert.Equal(0.4, report.Ratios.WeightsOverRaw, 12);
        Assert.Equal(3, report.Rounds.Count);
        Assert.NotEmpty(report.Notes);
    }

    [Fact]
    public void TheSampleChunkIsARealisticGenerationResult()
    {
        var settings = new TransportBenchSettings(RolloutsPerChunk: 3, PromptTokens: 5, ResponseTokens: 7);
        var result = TransportBench.SampleResult(settings);
        var generated = Assert.IsType<ActorRL.Actors.Rlhf.RolloutsGenerated>(result.Reply);
        Assert.Equal(3, generated.Rollouts.Count);
        Assert.All(generated.Rollouts, r =>
        {
            Assert.Equal(5, r.Prompt.Length);
            Assert.Equal(7, r.Response.Length);
            Assert.Equal(7, r.LogProbs.Length);
            Assert.Equal(7, r.Values.Length);
        });
        Assert.Equal(1_000_000, TransportBench.SampleWeights(1_000_000).Length);
    }

    [Fact]
    public async Task TheCommandWritesFiguresWhoseQuotientsAreTheRatios()
    {
        using var dir = new TempDir();
        string json = Path.Combine(dir.Path, "transport.json");
        var bench = await ActorRlProcess.RunAsync(dir.Path,
            "bench", "transport", "--json", json, "--rollouts", "30", "--batch", "8", "--weights-mb", "1", "--chunk-kb", "256", "--rounds", "2");

        Assert.True(bench.ExitCode == ExitCodes.Success, bench.Stderr);
        using JsonDocument report = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = report.RootElement;
        JsonElement figures = root.GetProperty("figures");
        JsonElement ratios = root.GetProperty("ratios");
        double Figure(string name) => figures.GetProperty(name).GetDouble();
        Assert.Equal(Figure("weights_mb_per_s") / Figure("raw_weights_mb_per_s"), ratios.GetProperty("weights_over_raw").GetDouble(), 12);
        Assert.Equal(Figure("rollout_messages_per_s") / Figure("raw_rollout_messages_per_s"), ratios.GetProperty("rollouts_over_raw").GetDouble(), 12);
        foreach (string name in (string[])["rollout_messages_per_s", "raw_rollout_messages_per_s", "weights_mb_per_s", "raw_weights_mb_per_s"])
        {
            Assert.True(Figure(name) > 0, name);
        }
        Assert.Equal(1, Figure("weights_megabytes"), 12);
        Assert.True(figures.GetProperty("rollout_message_bytes").GetInt32() > 1000); // 4 rollouts of 48 tokens with log-probs and values

        JsonElement settings = root.GetProperty("settings");
        Assert.Equal(30, settings.GetProperty("rollouts").GetInt32());
        Assert.Equal(256, settings.GetProperty("chunk_kib").GetInt32());
        JsonElement[] rounds = [.. root.GetProperty("rounds").EnumerateArray()];
        Assert.Equal(2, rounds.Length);
        Assert.Equal([TransportBench.ClusterFirst, TransportBench.RawFirst], rounds.Select(r => r.GetProperty("first").GetString()));
        Assert.All(rounds, r => Assert.True(r.GetProperty("weights_seconds").GetDouble() > 0 && r.GetProperty("raw_rollout_seconds").GetDouble() > 0));
        Assert.StartsWith("RabbitMQ ", root.GetProperty("broker").GetString(), StringComparison.Ordinal);
        Assert.NotEmpty(root.GetProperty("notes").EnumerateArray());
        Assert.True(root.GetProperty("machine").GetProperty("cores").GetInt32() >= 1);
        Assert.Contains("cluster/raw", bench.Stdout, StringComparison.Ordinal);
    }
}
