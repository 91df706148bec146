using ActorRL.Models.Tasks;

namespace ActorRL.Models.Tests.Tasks;

public class ReviewGrammarTests
{
    [Fact]
    public void EverySampledReviewIsAcceptedWithItsOwnSentiment()
    {
        var rng = new Random(7);
        int twoClauses = 0, intensified = 0;
        for (int i = 0; i < 2000; i++)
        {
            var sample = ReviewGrammar.Sample(rng);
            var parsed = ReviewGrammar.Parse(sample.Text);
            Assert.NotNull(parsed);
            Assert.Equal(sample.Text, parsed.Text);
            Assert.Equal(sample.Sentiment, parsed.Sentiment);
            Assert.Equal(sample.Sentiment, ReviewGrammar.TrueSentiment(sample.Text));
            Assert.InRange(sample.Sentiment, -2, 2);
            Assert.InRange(sample.Text.Split(' ').Length, 4, 11);
            if (sample.Clauses.Count == 2) twoClauses++;
            if (sample.Clauses.Any(c => c.Intensifier is not null)) intensified++;
        }
        // Both optional parts are drawn at their rates, within 4 standard deviations: two clauses with
        // p = 0.4 (800 ± 88); some intensifier with p = 0.6 × 0.3 + 0.4 × (1 − 0.7²) = 0.384 (768 ± 87).
        Assert.InRange(twoClauses, 712, 888);
        Assert.InRange(intensified, 681, 855);
    }

    [Theory]
    [InlineData("the food was good.")]
    [InlineData("our waiter seemed very rude but the dessert was excellent.")]
    [InlineData("the price is okay and the music felt really nice.")]
    [InlineData("the staff felt awful and the staff felt awful.")]
    public void AcceptsSentencesOfTheGrammar(string text) => Assert.True(ReviewGrammar.IsGrammatical(text));

    [Theory]
    [InlineData("great great great great")] // repetition
    [InlineData("great great great great.")]
    [InlineData("the food was great great.")]
    [InlineData("the food was very very good.")]
    [InlineData("the food was good")] // missing period
    [InlineData("the food was good .")]
    [InlineData("the food good.")] // missing verb
    [InlineData("the food was.")] // missing adjective
    [InlineData("food was good.")] // half a subject
    [InlineData("the food was good and.")]
    [InlineData("was the food good.")] // shuffled order
    [InlineData("the food good was.")]
    [InlineData("the food was tasty.")] // unknown words
    [InlineData("the pizza was good.")]
    [InlineData("the food was good or the room was bad.")]
    [InlineData("the food was good and the room was bad and the music was nice.")] // three clauses
    [InlineData("The food was good.")]
    [InlineData(" the food was good.")]
    [InlineData("the food  was good.")]
    [InlineData("the food was good.the room was bad.")]
    [InlineData(".")]
    [InlineData("")]
    public void RejectsEverythingElse(string text) => Assert.False(ReviewGrammar.IsGrammatical(text));

    [Theory]
    [InlineData("the food was good.", 1.0)]
    [InlineData("the room seemed terrible.", -2.0)]
    [InlineData("the food was really great.", 2.0)] // 2 × 1.5 clamped to 2
    [InlineData("the music is very slow.", -1.5)]
    [InlineData("our waiter seemed very rude but the dessert was excellent.", 1.125)] // 0.25 × (−1.5) + 0.75 × 2
    [InlineData("the dessert was excellent but our waiter seemed very rude.", -0.625)] // 0.25 × 2 + 0.75 × (−1.5)
    [InlineData("the price is okay and the music felt really nice.", 0.75)] // (0 + 1.5) / 2
    [InlineData("great great great great", 2.0)] // fallback: 4 positive words, clamped
    [InlineData("good bad awful", -1.0)] // fallback: 1 positive − 2 negative
    [InlineData("the food was tasty.", 0.0)] // fallback: no sentiment words
    public void TrueSentimentByHand(string text, double expected) => Assert.Equal(expected, ReviewGrammar.TrueSentiment(text), 12);

    [Fact]
    public void SamplingIsDeterministicBySeed()
    {
        string[] Draw(int seed)
        {
            var rng = new Random(seed);
            return [.. Enumerable.Range(0, 50).Select(_ => ReviewGrammar.Sample(rng).Text)];
        }
        Assert.Equal(Draw(3), Draw(3));
        Assert.NotEqual(Draw(3), Draw(4));
    }

    [Fact]
    public void SubjectCanBeFixed()
    {
        var rng = new Random(1);
        for (int i = 0; i < 100; i++) Assert.StartsWith("our waiter ", ReviewGrammar.Sample(rng, "our waiter").Text);
        Assert.Throws<ArgumentException>(() => ReviewGrammar.Sample(rng, "the pizza"));
    }
}
