using ActorRL.Models.Nn;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Tensors;

namespace ActorRL.Models.Tests.Rlhf.Preferences;

public class SequenceLogProbsTests
{
    [Fact]
    public void SumsTheResponseTokensLogProbabilitiesWhateverThePadding()
    {
        TorchRandom.ManualSeed(9);
        using var model = new CausalLM(new GptConfig(VocabSize: 260, ContextLength: 32, Layers: 1, Heads: 2, Width: 16));
        model.Eval();
        (int[], int[])[] items = [([257, 97], [98, 99, 258]), ([257], [120]), ([257, 100, 101, 102], [103, 258])];
        using var scope = new DisposeScope();
        double[] batched = SequenceLogProbs.ComputeValues(model, items, padId: 256, batchSize: 3);

        for (int b = 0; b < items.Length; b++)
        {
            // By hand from one unpadded forward pass: Σ_t log softmax(logits[t − 1])[y_t] over the response positions t.
            var (prompt, response) = items[b];
            int[] sequence = [.. prompt, .. response];
            Tensor logits = model.Forward(Torch.From<long>([.. sequence.Select(t => (long)t)], [1, sequence.Length]));
            float[] flat = logits.ToArray<float>();
            double expected = 0;
            for (int t = prompt.Length; t < sequence.Length; t++)
            {
                var row = flat.AsSpan((t - 1) * 260, 260).ToArray().Select(x => (double)x).ToArray();
                double max = row.Max(), logSum = max + Math.Log(row.Sum(x => Math.Exp(x - max)));
                expected += row[sequence[t]] - logSum;
            }
            Assert.Equal(expected, batched[b], 4);
        }

        Tensor withGraph = SequenceLogProbs.Compute(model, items, padId: 256);
        Assert.True(withGraph.RequiresGrad);
        Assert.Equal([3L], withGraph.Shape);
    }
}
