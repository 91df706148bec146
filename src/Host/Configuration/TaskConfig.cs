using ActorRL.Host.Hosting;
using ActorRL.Models.Tasks;

namespace ActorRL.Host.Configuration;

/// <summary>The synthetic tasks a run can train on.</summary>
public enum TaskName
{
    /// <summary>Verifiable arithmetic with worked answers, in-distribution and shifted.</summary>
    Arithmetic,
    /// <summary>Generated reviews scored by a sentiment reward model.</summary>
    Reviews,
    /// <summary>Pairs of reviews with noisy preference labels.</summary>
    Preferences,
}

/// <summary>Section <c>task</c>: which task and how much data it generates.</summary>
public sealed record TaskConfig
{
    /// <summary>The task: <c>arithmetic</c>, <c>reviews</c> or <c>preferences</c>.</summary>
    public TaskName Name { get; init; } = TaskName.Arithmetic;

    /// <summary>Demonstrations generated for supervised fine-tuning.</summary>
    public int SftExamples { get; init; } = 2048;

    /// <summary>Labelled examples for the reward model and preference pairs for DPO-style stages and objectives.</summary>
    public int PreferencePairs { get; init; } = 512;

    /// <summary>Probability that a preference label is flipped (the noise ROPO is robust to).</summary>
    public double LabelNoise { get; init; } = 0.2;

    /// <summary>Vocabulary size of the task's tokenizer.</summary>
    public int TokenizerVocabSize => Name switch
    {
        TaskName.Arithmetic => ArithmeticTask.CreateTokenizer().VocabSize,
        _ => new ReviewTask().Tokenizer.VocabSize,
    };

    /// <summary>Throws <see cref="InvalidConfigurationException"/> naming the first invalid key.</summary>
    public void Validate()
    {
        ConfigCheck.AtLeast(SftExamples, 1, "task.sft_examples");
        ConfigCheck.AtLeast(PreferencePairs, 1, "task.preference_pairs");
        if (!(LabelNoise >= 0 && LabelNoise < 0.5)) throw new InvalidConfigurationException("task.label_noise", $"must be in [0, 0.5), not {LabelNoise}");
    }
}
