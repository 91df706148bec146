using ActorRL.Host.Progress;
using ActorRL.Host.Reports;
using ActorRL.Models.Rlhf;

namespace ActorRL.Host.Tests.Cli;

public sealed class EvaluationTableTests
{
    private static readonly EvalFigure[] Before =
    [
        new("accuracy in-distribution", 0.625),
        new("accuracy shifted", 0.5),
        new("perplexity", 12.3456, HigherIsBetter: false),
        new("naturalness", 0.7),
    ];

    private static readonly EvalFigure[] After =
    [
        new("accuracy in-distribution", 0.875),
        new("accuracy shifted", 0.45),
        new("perplexity", 10.0, HigherIsBetter: false),
        new("naturalness", 0.7),
        new("win rate", 0.6),
    ];

    [Fact]
    public void BeforeAfterHasOneRowPerFigureWithTheSignedChangeAndItsDirection()
    {
        ReportTable table = EvaluationTable.BeforeAfter(Before, After);

        Assert.Equal("Evaluation", table.Title);
        Assert.Equal(["figure", "before (SFT)", "after (RL)", "change"], table.Headers);
        Assert.Equal<IReadOnlyList<string>>(
        [
            ["accuracy in-distribution", "0.625", "0.875", "+0.250 (better)"],
            ["accuracy shifted", "0.500", "0.450", "-0.050 (worse)"],
            ["perplexity", "12.346", "10.000", "-2.346 (better)"],
            ["naturalness", "0.700", "0.700", "0.000"],
            ["win rate", "-", "0.600", "-"],
        ], table.Rows);
    }

    [Fact]
    public void AfterIsEmptyWhenTheRunStoppedEarly()
    {
        ReportTable table = EvaluationTable.BeforeAfter(Before[..1], []);

        Assert.Equal<IReadOnlyList<string>>([["accuracy in-distribution", "0.625", "-", "-"]], table.Rows);
    }

    [Fact]
    public void PlainTextAlignsNumbersRightAndNamesLeft()
    {
        var table = new ReportTable("T", ["name", "a", "b"], [["x", "1", "22"], ["long name", "333", "4"]]);

        Assert.Equal("T\nname         a   b\nx            1  22\nlong name  333   4\n", ConsoleTable.Plain(table));
    }

    [Fact]
    public void PlainEvaluationTable()
    {
        string text = ConsoleTable.Plain(EvaluationTable.BeforeAfter(Before[..2], After[..2]));

        Assert.Equal(
            """
            Evaluation
            figure                    before (SFT)  after (RL)           change
            accuracy in-distribution         0.625       0.875  +0.250 (better)
            accuracy shifted                 0.500       0.450   -0.050 (worse)

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void SingleListsValueAndDirection()
    {
        ReportTable table = EvaluationTable.Single("Evaluation of ckpt", [Before[0], Before[2]]);

        Assert.Equal(["figure", "value", "better"], table.Headers);
        Assert.Equal<IReadOnlyList<string>>([["accuracy in-distribution", "0.625", "higher"], ["perplexity", "12.346", "lower"]], table.Rows);
    }
}
