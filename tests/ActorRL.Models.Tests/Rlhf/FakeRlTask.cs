using ActorRL.Models.Nn;
using ActorRL.Models.Rlhf;
using ActorRL.Models.Text;
using ActorRL.Models.Training;

namespace ActorRL.Models.Tests.Rlhf;

/// <summary>
/// A task for the Rlhf tests: prompts and demonstrations from dictionaries, a verifier from a function (or none), step
/// boundaries as given. Everything else is unused here.
/// </summary>
internal sealed class FakeRlTask : IRlTask
{
    public Dictionary<long, int[]> Prompts { get; init; } = [];

    public Dictionary<long, int[]> Demonstrations { get; init; } = [];

    public Func<long, int[], double?> Verifier { get; init; } = (_, _) => null;

    public int DemonstrationCalls { get; private set; }

    public string Name => "fake";

    public ITokenizer Tokenizer => throw new NotSupportedException();

    public IReadOnlySet<int> StepBoundaryTokens { get; init; } = new HashSet<int>();

    public int MaxPromptTokens => Prompts.Count == 0 ? 0 : Prompts.Values.Max(p => p.Length);

    public int[] Prompt(long promptId) => Prompts[promptId];

    public int[]? Demonstration(long promptId)
    {
        DemonstrationCalls++;
        return Demonstrations.GetValueOrDefault(promptId);
    }

    public double? VerifiedReward(long promptId, int[] response) => Verifier(promptId, response);

    public IReadOnlyList<SftExample> SftExamples(int count, int seed) => throw new NotSupportedException();

    public IReadOnlyList<(int[] Ids, double Target)> RewardExamples(int count, int seed) => throw new NotSupportedException();

    public IReadOnlyList<PreferenceExample> PreferencePairs(int count, double noiseRate, int seed) => throw new NotSupportedException();

    public IReadOnlyList<EvalFigure> Evaluate(EvalContext context) => throw new NotSupportedException();

    /// <summary>The tiny model of these tests: vocabulary 260, context 32, one layer, two heads, width 16.</summary>
    public static readonly GptConfig TinyConfig = new(VocabSize: 260, ContextLength: 32, Layers: 1, Heads: 2, Width: 16);
}
