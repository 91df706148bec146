namespace ActorRL.Models.Tasks;

/// <summary>One evaluation problem: the prompt's ids and the exact answer.</summary>
/// <param name="Prompt">Token ids of the prompt.</param>
/// <param name="Answer">The true value.</param>
public sealed record ArithmeticEvalItem(int[] Prompt, long Answer);

/// <summary>A named evaluation set.</summary>
/// <param name="Name">The distribution it was drawn from, e.g. <c>shifted-range</c>.</param>
/// <param name="Items">The problems.</param>
/// <param name="MaxResponseTokens">The longest worked answer its distribution can produce: the generation budget.</param>
public sealed record ArithmeticEvalSet(string Name, IReadOnlyList<ArithmeticEvalItem> Items, int MaxResponseTokens);
