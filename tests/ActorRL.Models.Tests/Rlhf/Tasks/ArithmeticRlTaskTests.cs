using ActorRL.Models.Nn;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Rlhf.Tasks;
using ActorRL.Models.Tasks;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Rlhf.Tasks;

public class ArithmeticRlTaskTests
{
    private readonly ArithmeticRlTask task = new(seed: 7);

    [Fact]
    public void PromptsAreFixedBySeedAndIdAcrossInstances()
    {
        var other = new ArithmeticRlTask(seed: 7);
        var reseeded = new ArithmeticRlTask(seed: 8);
        string[] prompts = [.. Enumerable.Range(0, 200).Select(i => task.Tokenizer.Decode(task.Prompt(i)))];
        Assert.Equal(prompts, Enumerable.Range(0, 200).Select(i => other.Tokenizer.Decode(other.Prompt(i))));
        Assert.True(prompts.Distinct().Count() > 190, "different ids give different prompts");
        Assert.True(Enumerable.Range(0, 200).Count(i => reseeded.Tokenizer.Decode(reseeded.Prompt(i)) != prompts[i]) > 190, "another seed gives other prompts");
        Assert.All(prompts, p => Assert.StartsWith("<|bos|>", p));
        // Pinned once: a prompt must not depend on the process (no randomized string hashing in the seed mix).
        Assert.Equal(PinnedPrompt0, prompts[0]);
    }

    private const string PinnedPrompt0 = "<|bos|>add 197 and 56:";

    [Fact]
    public void DemonstrationIsTheWorkedAnswerAndTheVerifierGivesItFullReward()
    {
        for (int id = 0; id < 100; id++)
        {
            ArithmeticProblem p = task.Problem(id);
            int[] demo = task.Demonstration(id)!;
            Assert.Equal(ArithmeticWorkedAnswer.Write(p.Operation, p.Left, p.Right), task.Tokenizer.Decode(demo));
            Assert.Equal(task.Tokenizer.Eos, demo[^1]);
            long expected = p.Operation == ArithmeticOperation.Add ? p.Left + p.Right : p.Left * p.Right;
            Assert.Equal(expected, ArithmeticVerifier.ParseAnswer(demo, task.Tokenizer));
            Assert.Equal(1.0, task.VerifiedReward(id, demo));
            Assert.Equal(0.0, task.VerifiedReward(id, demo[..^1])); // cut before eos: no answer
        }
    }

    [Fact]
    public void ShapeOfTheTask()
    {
        Assert.Equal("arithmetic", task.Name);
        Assert.Equal(new HashSet<int> { 259, 260 }, task.StepBoundaryTokens); // step, answer after pad, bos, eos
        Assert.Equal(1 + "multiply 99 by 9:".Length, task.MaxPromptTokens); // the longest training wording, largest operands
        Assert.Empty(task.RewardExamples(10, 1));
        var sft = task.SftExamples(5, seed: 3);
        Assert.Equal(5, sft.Count);
        Assert.All(sft, e => Assert.Equal(1.0, ArithmeticVerifier.Reward(e.Response, ArithmeticVerifier.ParseAnswer(e.Response, task.Tokenizer)!.Value, task.Tokenizer)));
    }

    [Fact]
    public void WithoutNoiseChosenIsCorrectAndRejectedSlipsOnceInTheLastStep()
    {
        IReadOnlyList<PreferenceExample> pairs = task.PreferencePairs(300, noiseRate: 0, seed: 5);
        Assert.Equal(300, pairs.Count);
        int step = task.Tokenizer.Special(ArithmeticWorkedAnswer.StepToken);
        for (int i = 0; i < pairs.Count; i++)
        {
            PreferenceExample pair = pairs[i];
            Assert.False(pair.Flipped);
            Assert.Equal((long)i, pair.PromptId);
            Assert.Equal(task.Prompt(pair.PromptId), pair.Prompt);
            Assert.Equal(task.Demonstration(pair.PromptId), pair.Chosen);
            Assert.Equal(1.0, task.VerifiedReward(pair.PromptId, pair.Chosen));
            Assert.Equal(0.0, task.VerifiedReward(pair.PromptId, pair.Rejected));
            long answer = task.Problem(pair.PromptId).Answer;
            Assert.Equal(ArithmeticVerdict.Wrong, ArithmeticVerifier.Judge(pair.Rejected, answer, task.Tokenizer));
            // The last of k steps is off by one, so the answer is off by 10^(k-1).
            int steps = 1 + pair.Rejected.Count(t => t == step);
            long wrong = ArithmeticVerifier.ParseAnswer(pair.Rejected, task.Tokenizer)!.Value;
            Assert.Equal((long)Math.Pow(10, steps - 1), Math.Abs(wrong - answer));
            // Every step but the last is the worked answer's.
            int lastStepChosen = Array.LastIndexOf(pair.Chosen, step), lastStepRejected = Array.LastIndexOf(pair.Rejected, step);
            Assert.Equal(pair.Chosen[..(lastStepChosen + 1)], pair.Rejected[..(lastStepRejected + 1)]);
        }
    }

    [Fact]
    public void NoiseFlipsAboutItsRateOfPairs()
    {
        const int n = 3000;
        const double rho = 0.5;
        IReadOnlyList<PreferenceExample> pairs = task.PreferencePairs(n, rho, seed: 9);
        double fraction = pairs.Count(p => p.Flipped) / (double)n;
        double bound = 4 * Math.Sqrt(0.25 / n);
        Assert.InRange(fraction, 0.5 - bound, 0.5 + bound);
        Assert.All(pairs, p => Assert.Equal(p.Flipped, task.VerifiedReward(p.PromptId, p.Chosen) < task.VerifiedReward(p.PromptId, p.Rejected)));
        Assert.Equal(pairs.Select(p => p.Flipped), task.PreferencePairs(n, rho, seed: 9).Select(p => p.Flipped));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void EvaluationOfAnUntrainedPolicyReportsZeroAccuracyOnEverySet(double temperature)
    {
        TorchRandom.ManualSeed(5);
        using var policy = new CausalLM(new GptConfig(task.Tokenizer.VocabSize, ArithmeticTask.SequenceBound, Layers: 1, Heads: 2, Width: 16));
        var figures = task.Evaluate(new EvalContext(policy, null, null, null, Examples: 6, MaxNewTokens: 8, temperature, Seed: 3));
        Assert.Equal(["accuracy in-distribution", "accuracy shifted wording", "accuracy shifted range", "accuracy shifted (mean)"], figures.Select(f => f.Name));
        Assert.All(figures, f => Assert.Equal(0.0, f.Value)); // a random model writing a whole correct answer: odds below 1e-9
        Assert.All(figures, f => Assert.True(f.HigherIsBetter));
    }
}
