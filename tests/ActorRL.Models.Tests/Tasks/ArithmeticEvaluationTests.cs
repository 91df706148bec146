using System.Diagnostics;
using ActorRL.Models.Nn;
using ActorRL.Models.Tasks;
using ActorRL.Models.Tensors;
using ActorRL.Models.Training;

namespace ActorRL.Models.Tests.Tasks;

public class ArithmeticEvaluationTests
{
    [Fact]
    public void SftLearnsTwoDigitAdditionAndEvaluationCountsEveryProblem()
    {
        TorchRandom.ManualSeed(4321);
        var task = new ArithmeticTask();
        var twoDigitSums = new ArithmeticDistribution(
            "two-digit-sums", new DigitRange(2, 2), new DigitRange(1, 1), [new(ArithmeticOperation.Add, "{a}+{b}=")]);
        using var model = new CausalLM(new GptConfig(task.Tokenizer.VocabSize, ContextLength: 48, Layers: 2, Heads: 4, Width: 64));
        ArithmeticEvalSet set = task.EvalSet(twoDigitSums, 200, seed: 77);

        ArithmeticEvalResult before = ArithmeticEvaluation.Evaluate(model, set, task.Tokenizer, batchSize: 64);
        Assert.Equal(200, before.Total);
        Assert.Equal(0, before.Correct); // 1 in 10^5 odds for a random model to write a whole answer

        const int steps = 600;
        var options = new SftOptions { BatchSize = 32, MicroBatchSize = 32, Schedule = new WarmupCosineSchedule(3e-3, 3e-4, 30, steps), WeightDecay = 0.01 };
        using var trainer = new SftTrainer(model, options, task.Tokenizer.Pad);
        using IEnumerator<SftExample> examples = task.SftExamples(twoDigitSums, seed: 1).GetEnumerator();
        var clock = Stopwatch.StartNew();
        for (int step = 0; step < steps; step++)
        {
            var batch = new List<SftExample>(options.BatchSize);
            while (batch.Count < options.BatchSize && examples.MoveNext()) batch.Add(examples.Current);
            trainer.TrainStep(batch);
        }
        ArithmeticEvalResult after = ArithmeticEvaluation.Evaluate(model, set, task.Tokenizer, batchSize: 64);
        Assert.Equal(200, after.Total);
        Assert.Equal("two-digit-sums", after.Name);
        Assert.True(after.Accuracy > 0.8, $"accuracy {after.Accuracy} ({after}) after {clock.Elapsed}");
        Assert.Equal((double)after.Correct / 200, after.Accuracy);
    }
}
