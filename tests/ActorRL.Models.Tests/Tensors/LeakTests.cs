using System.Globalization;
using ActorRL.Models.Tensors;
using Xunit.Abstractions;

namespace ActorRL.Models.Tests.Tensors;

public class LeakTests(ITestOutputHelper output)
{
    private static long ResidentBytes()
    {
        // VmRSS of /proc/self/status, in kB: what the process really holds, native heap included.
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    [Fact]
    public void TenThousandTrainingStepsInDisposeScopesKeepResidentMemoryFlat()
    {
        TorchRandom.ManualSeed(0);
        var w1 = Torch.Randn([64, 32]).Mul(0.1).RequiresGradInPlace();
        var b1 = Torch.Zeros([64], requiresGrad: true);
        var w2 = Torch.Randn([10, 64]).Mul(0.1).RequiresGradInPlace();
        var b2 = Torch.Zeros([10], requiresGrad: true);
        var x = Torch.Randn([32, 32]);
        var y = Torch.Randint(0, 10, [32]);
        using var optimizer = new AdamW([w1, b1, w2, b2], learningRate: 1e-2);

        double Step()
        {
            using var scope = new DisposeScope();
            optimizer.ZeroGrad();
            var loss = x.Linear(w1, b1).LayerNorm([64]).Gelu().Linear(w2, b2).CrossEntropy(y);
            loss.Backward();
            Torch.ClipGradNorm([w1, b1, w2, b2], 1.0);
            optimizer.Step();
            return loss.ToDouble();
        }

        double first = Step();
        for (int i = 1; i < 500; i++) Step(); // warm-up: allocator pools and JIT settle
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = ResidentBytes();
        double last = 0;
        long peak = before;
        for (int i = 1; i <= 10_000; i++)
        {
            last = Step();
            // Sampled without forcing a collection: freeing must not depend on finalizers.
            if (i % 250 == 0) peak = Math.Max(peak, ResidentBytes());
        }
        long growth = peak - before;
        output.WriteLine($"peak resident memory growth over 10,000 steps: {growth / 1e6:F1} MB; loss {first:F3} -> {last:F4}");

        Assert.True(growth < 50_000_000, $"resident memory grew by {growth / 1e6:F1} MB over 10,000 steps");
        Assert.True(last < 0.05 * first, $"the MLP did not learn (loss {first} -> {last}), so the steps were not real");
        foreach (var p in new[] { w1, b1, w2, b2, x, y }) p.Dispose();
    }
}
