using ActorRL.Models.Inference;
using ActorRL.Models.Nn;
using ActorRL.Models.Tensors;
using ActorRL.Models.Text;
using ActorRL.Models.Training;

namespace ActorRL.Models.Tasks;

/// <summary>A review with its sentiment label, tokenized as the reward model reads it (prompt, response, eos).</summary>
/// <param name="Text">The review.</param>
/// <param name="Sentiment">Its true sentiment in [-2, 2], the reward model's regression target.</param>
/// <param name="Ids">Prompt and response ids, ending with eos.</param>
public sealed record LabelledReview(string Text, double Sentiment, int[] Ids);

/// <summary>
/// The <c>reviews</c> task, RCfD's over-optimization setting: the prompt names a subject
/// ("&lt;|bos|&gt;&lt;|review|&gt;the food") and the response completes the review (" was very good.&lt;|eos|&gt;").
/// A reward model trained on labelled reviews rewards sentiment; naturalness is measured by grammaticality under
/// <see cref="ReviewGrammar"/> and by log-likelihood under the reference model, so maximizing the reward model
/// alone visibly degrades naturalness.
/// </summary>
public sealed class ReviewTask
{
    /// <summary>The task's tokenizer: bytes plus pad, bos, eos and the <c>review</c> prompt marker.</summary>
    public ByteTokenizer Tokenizer { get; } = new("review");

    /// <summary>Longest prompt plus response in tokens; the grammar's longest review fits with room to spare.</summary>
    public const int ContextLength = 96;

    /// <summary>The prompt's text for a review about <paramref name="subject"/>.</summary>
    public static string PromptText(string subject) => $"<|bos|><|review|>{subject}";

    /// <summary>The prompt's ids for a review about <paramref name="subject"/>.</summary>
    public int[] Prompt(string subject) => Tokenizer.Encode(PromptText(subject));

    /// <summary><paramref name="count"/> prompt subjects drawn uniformly from the grammar's subjects.</summary>
    public static IReadOnlyList<string> PromptSubjects(int count, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return [.. Enumerable.Range(0, count).Select(_ => ReviewGrammar.Subjects[rng.Next(ReviewGrammar.Subjects.Count)])];
    }

    /// <summary>The response that completes <paramref name="review"/> after its prompt: the text past the subject, then eos.</summary>
    public int[] Response(ReviewSample review)
    {
        ArgumentNullException.ThrowIfNull(review);
        return [.. Tokenizer.Encode(review.Text[review.Subject.Length..]), Tokenizer.Eos];
    }

    /// <summary>The whole review for a prompt subject and a generated response (special tokens dropped).</summary>
    public string ReviewText(string subject, ReadOnlySpan<int> responseIds) => subject + Tokenizer.Decode(responseIds, skipSpecial: true);

    /// <summary>One demonstration y_d per prompt subject (RCfD's reference responses): a grammatical review about it.</summary>
    public static IReadOnlyList<ReviewSample> Demonstrations(IReadOnlyList<string> subjects, Random rng)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        return [.. subjects.Select(s => ReviewGrammar.Sample(rng, s))];
    }

    /// <summary><paramref name="count"/> SFT examples: prompt → grammatical review completion.</summary>
    public IReadOnlyList<SftExample> SftExamples(int count, Random rng) =>
        [.. Enumerable.Range(0, count).Select(_ => SftExample(ReviewGrammar.Sample(rng)))];

    /// <summary>The SFT example of one review.</summary>
    public SftExample SftExample(ReviewSample review) => new(Prompt(review.Subject), Response(review));

    /// <summary><paramref name="count"/> reviews labelled with their true sentiment, for training the reward model.</summary>
    public IReadOnlyList<LabelledReview> LabelledReviews(int count, Random rng) =>
        [.. Enumerable.Range(0, count).Select(_ => ReviewGrammar.Sample(rng)).Select(r => new LabelledReview(r.Text, r.Sentiment, [.. Prompt(r.Subject), .. Response(r)]))];

    /// <summary>
    /// Ground-truth preference score of a review toward a target polarity (+1 positive, -1 negative):
    /// polarity × true sentiment for grammatical text, and -3 (below every grammatical review) otherwise.
    /// </summary>
    public static double GroundTruthScore(string text, int polarity)
    {
        if (polarity is not (1 or -1)) throw new ArgumentOutOfRangeException(nameof(polarity), polarity, "polarity must be +1 or -1");
        var parsed = ReviewGrammar.Parse(text);
        return parsed is null ? -3 : polarity * parsed.Sentiment;
    }

    /// <summary>Fraction of <paramref name="texts"/> the grammar accepts.</summary>
    public static double GrammaticalityRate(IReadOnlyCollection<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) throw new ArgumentException("no texts to measure", nameof(texts));
        return texts.Count(ReviewGrammar.IsGrammatical) / (double)texts.Count;
    }

    /// <summary>
    /// Naturalness under the reference: each example's mean log-probability per response token given its
    /// prompt, averaged over examples. Examples are scored together, right-padded (padding comes after every
    /// scored position, so causal attention never sees it).
    /// </summary>
    public double MeanLogLikelihood(CausalLM reference, IReadOnlyList<SftExample> examples)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0) throw new ArgumentException("no examples to score", nameof(examples));
        int width = examples.Max(e => e.Prompt.Length + e.Response.Length);
        var ids = new long[examples.Count * width];
        Array.Fill(ids, Tokenizer.Pad);
        for (int b = 0; b < examples.Count; b++)
        {
            var e = examples[b];
            if (e.Prompt.Length == 0 || e.Response.Length == 0) throw new ArgumentException("every example needs a prompt and a response", nameof(examples));
            for (int t = 0; t < e.Prompt.Length; t++) ids[b * width + t] = e.Prompt[t];
            for (int t = 0; t < e.Response.Length; t++) ids[b * width + e.Prompt.Length + t] = e.Response[t];
        }
        float[] logp;
        using (var scope = new DisposeScope())
        using (NoGradScope.Enter())
        {
            var device = reference.Parameters()[0].Device;
            logp = Scoring.Score(reference, Torch.From<long>(ids, [examples.Count, width], device)).LogProbs.To(ScalarType.Float32).To(Device.Cpu).ToArray<float>();
        }
        double total = 0;
        for (int b = 0; b < examples.Count; b++)
        {
            var e = examples[b];
            double sum = 0;
            // Response token t sits at position P + t and is predicted by log-prob entry P + t - 1.
            for (int t = 0; t < e.Response.Length; t++) sum += logp[b * (width - 1) + e.Prompt.Length + t - 1];
            total += sum / e.Response.Length;
        }
        return total / examples.Count;
    }
}
