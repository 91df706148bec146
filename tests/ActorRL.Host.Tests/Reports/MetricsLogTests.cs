using System.Text;
using System.Text.Json;
using ActorRL.Host.Reports;

namespace ActorRL.Host.Tests.Reports;

public class MetricsLogTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, 123, TimeSpan.Zero);

    private static StepMetrics Step(long step, double reward, string stage = "rl") => new(step, T0.AddSeconds(step), stage,
        new Dictionary<string, double> { [MetricNames.RewardMean] = reward, [MetricNames.Kl] = 0.1 + step, [MetricNames.TimeGenerate] = 1.0 / 3 });

    [Fact]
    public void RoundTripIsExactWithOneSnakeCaseLinePerStep()
    {
        using var dir = new TempDir();
        var values = new Dictionary<string, double>
        {
            [MetricNames.RewardMean] = 0.1 + 0.2, // 0.30000000000000004: needs all 17 digits
            [MetricNames.DrtoEss] = 1e-300,
            [MetricNames.Entropy] = double.NaN,
            [MetricNames.Restarts] = double.PositiveInfinity,
            [MetricNames.LearnerIdleFraction] = -0.0625,
        };
        var written = new[] { new StepMetrics(1, T0, "rl", values), Step(2, Math.PI) };
        using (var log = new MetricsLog(dir.Path))
        {
            foreach (var m in written)
            {
                log.Append(m);
            }
        }

        var lines = File.ReadAllLines(Path.Combine(dir.Path, "metrics.jsonl"));
        Assert.Equal(2, lines.Length);
        using (var doc = JsonDocument.Parse(lines[0]))
        {
            var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(["step", "timestamp", "stage", "reward_mean", "drto_ess", "entropy", "restarts", "learner_idle_fraction"], names);
            Assert.Equal(0.30000000000000004, doc.RootElement.GetProperty("reward_mean").GetDouble());
        }

        var read = MetricsReader.Read(Path.Combine(dir.Path, "metrics.jsonl"));
        Assert.Null(read.TruncatedLastLine);
        Assert.Equal(2, read.Steps.Count);
        for (var i = 0; i < written.Length; i++)
        {
            Assert.Equal(written[i].Step, read.Steps[i].Step);
            Assert.Equal(written[i].Timestamp, read.Steps[i].Timestamp);
            Assert.Equal(written[i].Stage, read.Steps[i].Stage);
            Assert.Equal(written[i].Values.Keys.Order(), read.Steps[i].Values.Keys.Order());
            foreach (var (k, v) in written[i].Values)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(v), BitConverter.DoubleToInt64Bits(read.Steps[i].Values[k]));
            }
        }
    }

    [Fact]
    public void NonSnakeCaseNameIsRefused()
    {
        var m = new StepMetrics(1, T0, "rl", new Dictionary<string, double> { ["RewardMean"] = 1 });
        Assert.Throws<ArgumentException>(() => MetricsLine.Format(m));
        var reserved = new StepMetrics(1, T0, "rl", new Dictionary<string, double> { ["step"] = 1 });
        Assert.Throws<ArgumentException>(() => MetricsLine.Format(reserved));
    }

    [Fact]
    public void TruncatedLastLineIsSkippedAndReported()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "metrics.jsonl");
        using (var log = new MetricsLog(dir.Path))
        {
            log.Append(Step(1, 0.5));
            log.Append(Step(2, 0.6));
        }

        var partial = MetricsLine.Format(Step(3, 0.7))[..25];
        File.AppendAllText(path, partial);

        var read = MetricsReader.Read(path);
        Assert.Equal([1L, 2L], read.Steps.Select(s => s.Step));
        Assert.Equal(partial, read.TruncatedLastLine);
    }

    [Fact]
    public void CorruptLineBeforeTheLastFailsTheRead()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "metrics.jsonl");
        File.WriteAllText(path, MetricsLine.Format(Step(1, 0.5)) + "\n{\"step\":\n" + MetricsLine.Format(Step(2, 0.5)) + "\n");
        var e = Assert.Throws<InvalidDataException>(() => MetricsReader.Read(path));
        Assert.Contains(":2:", e.Message);
    }

    [Fact]
    public void ResumeCutsThePartialLineAndTheLastEntryPerStepWins()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "metrics.jsonl");
        using (var log = new MetricsLog(dir.Path))
        {
            log.Append(Step(1, 0.1));
            log.Append(Step(2, 0.2));
            log.Append(Step(3, 0.3));
        }

        var partial = MetricsLine.Format(Step(4, 0.4))[..10];
        File.AppendAllText(path, partial);

        // The run resumes from a checkpoint at step 2: steps 3 and 4 are logged again.
        using (var log = new MetricsLog(dir.Path))
        {
            Assert.Equal(Encoding.UTF8.GetByteCount(partial), log.DroppedPartialBytes);
            log.Append(Step(3, 0.33));
            log.Append(Step(4, 0.44));
        }

        Assert.Equal(5, File.ReadAllLines(path).Length);
        var read = MetricsReader.Read(path);
        Assert.Null(read.TruncatedLastLine);
        Assert.Equal(5, read.LineCount);
        Assert.Equal(1, read.ReplacedLines);
        Assert.Equal([1L, 2L, 3L, 4L], read.Steps.Select(s => s.Step));
        Assert.Equal([0.1, 0.2, 0.33, 0.44], read.Steps.Select(s => s[MetricNames.RewardMean]));
    }

    [Fact]
    public void SameStepNumberInDifferentStagesIsKept()
    {
        using var dir = new TempDir();
        using (var log = new MetricsLog(dir.Path))
        {
            log.Append(Step(1, 0.1, "sft"));
            log.Append(Step(1, 0.2, "rl"));
        }

        var read = MetricsReader.Read(Path.Combine(dir.Path, "metrics.jsonl"));
        Assert.Equal(["sft", "rl"], read.Steps.Select(s => s.Stage));
        Assert.Equal(0, read.ReplacedLines);
    }
}
