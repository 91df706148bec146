namespace ActorRL.Models.Rlhf.Tasks;

/// <summary>One evaluation prompt of the review tasks with its demonstration (RCfD's y_d).</summary>
/// <param name="Subject">What the review is about, e.g. "the food".</param>
/// <param name="Prompt">Prompt token ids.</param>
/// <param name="Demonstration">A grammatical review's response ids, ending with eos.</param>
public sealed record ReviewEvalItem(string Subject, int[] Prompt, int[] Demonstration);
