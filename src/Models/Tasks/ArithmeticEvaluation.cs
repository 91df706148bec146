using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Text;

namespace ActorRL.Models.Tasks;

/// <summary>Greedy evaluation of a policy on <c>arithmetic</c> evaluation sets.</summary>
public static class ArithmeticEvaluation
{
    /// <summary>Generates greedily (stopping at <c>eos</c>, at most the set's <see cref="ArithmeticEvalSet.MaxResponseTokens"/>
    /// new tokens, cut to fit the model's context) in batches of <paramref name="batchSize"/>, and judges each completion.</summary>
    public static ArithmeticEvalResult Evaluate(CausalLM policy, ArithmeticEvalSet set, ITokenizer tokenizer, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int correct = 0, wrong = 0, none = 0;
        for (int start = 0; start < set.Items.Count; start += batchSize)
        {
            var batch = set.Items.Skip(start).Take(batchSize).ToList();
            int room = policy.Config.ContextLength - batch.Max(i => i.Prompt.Length);
            if (room < 1) throw new ArgumentException($"a prompt of set '{set.Name}' fills the model's context ({policy.Config.ContextLength})", nameof(set));
            var options = new GenerationOptions { Temperature = 0, MaxNewTokens = Math.Min(set.MaxResponseTokens, room), StopTokens = [tokenizer.Eos] };
            IReadOnlyList<Completion> completions = Generator.Generate(policy, [.. batch.Select(i => i.Prompt)], options, tokenizer.Pad);
            for (int i = 0; i < batch.Count; i++)
            {
                switch (ArithmeticVerifier.Judge(completions[i].Tokens, batch[i].Answer, tokenizer))
                {
                    case ArithmeticVerdict.Correct: correct++; break;
                    case ArithmeticVerdict.Wrong: wrong++; break;
                    default: none++; break;
                }
            }
        }
        return new ArithmeticEvalResult(set.Name, correct, wrong, none);
    }
}
