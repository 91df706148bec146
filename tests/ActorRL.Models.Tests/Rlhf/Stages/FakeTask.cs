using ActorRL.Models.Rlhf;
using ActorRL.Models.Text;
using ActorRL.Models.Training;

namespace ActorRL.Models.Tests.Rlhf.Stages;

/// <summary>
/// A task small enough for unit tests: the prompt is bos and a letter c among 8, the right answer counts on
/// (c+1, c+2, c+3) and ends with eos. Reward targets count the right answer tokens of a partly scrambled response;
/// preference pairs prefer the right answer to a scrambled one, with labels flipped at the noise rate.
/// </summary>
internal sealed class FakeTask : IRlTask
{
    public const int Letters = 8;

    private readonly ByteTokenizer tokenizer = new();

    public string Name => "fake";

    public ITokenizer Tokenizer => tokenizer;

    public IReadOnlySet<int> StepBoundaryTokens { get; } = new HashSet<int>();

    public int MaxPromptTokens => 2;

    public int[] Prompt(long promptId) => [tokenizer.Bos, 'a' + (int)(promptId % Letters)];

    public int[]? Demonstration(long promptId) => Answer(promptId);

    public double? VerifiedReward(long promptId, int[] response) => null;

    public IReadOnlyList<SftExample> SftExamples(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(Letters)).Select(id => new SftExample(Prompt(id), Answer(id)))];
    }

    public IReadOnlyList<(int[] Ids, double Target)> RewardExamples(int count, int seed)
    {
        var random = new Random(seed + 1);
        var examples = new List<(int[], double)>();
        for (int i = 0; i < count; i++)
        {
            int id = random.Next(Letters);
            int[] response = Answer(id);
            int right = 3;
            for (int t = 0; t < 3; t++)
            {
                if (random.Next(2) == 0) continue;
                response[t] = 'z' + 1 + random.Next(20);
                right--;
            }
            examples.Add(([.. Prompt(id), .. response], right));
        }
        return examples;
    }

    public IReadOnlyList<PreferenceExample> PreferencePairs(int count, double noiseRate, int seed)
    {
        var random = new Random(seed + 2);
        var pairs = new List<PreferenceExample>();
        for (int i = 0; i < count; i++)
        {
            int id = random.Next(Letters);
            int[] good = Answer(id);
            int[] bad = [.. Enumerable.Range(0, 3).Select(_ => 'z' + 1 + random.Next(20)), tokenizer.Eos];
            bool flipped = random.NextDouble() < noiseRate;
            pairs.Add(new PreferenceExample(i, id, Prompt(id), flipped ? bad : good, flipped ? good : bad, flipped));
        }
        return pairs;
    }

    public IReadOnlyList<EvalFigure> Evaluate(EvalContext context) => [];

    private int[] Answer(long promptId)
    {
        int c = 'a' + (int)(promptId % Letters);
        return [c + 1, c + 2, c + 3, tokenizer.Eos];
    }
}
