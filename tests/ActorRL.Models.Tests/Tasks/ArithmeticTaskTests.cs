using System.Globalization;
using ActorRL.Models.Tasks;

namespace ActorRL.Models.Tests.Tasks;

public class ArithmeticTaskTests
{
    private readonly ArithmeticTask task = new();

    [Fact]
    public void TokenizerHasStepAndAnswerAfterTheDefaults()
    {
        Assert.Equal(261, task.Tokenizer.VocabSize);
        Assert.Equal(259, task.Tokenizer.Special("step"));
        Assert.Equal(260, task.Tokenizer.Special("answer"));
        Assert.Equal(new HashSet<int> { 259, 260 }, task.StepBoundaryTokens);
    }

    [Theory]
    // 57+68: 7+8=15 (write 5, carry 1); 5+6+1=12 (write 2, carry 1); answer 125.
    [InlineData(ArithmeticOperation.Add, 57, 68, "7+8+0=15;5<|step|>5+6+1=12;25<|answer|>125<|eos|>")]
    // 23×4: 3·4=12 (write 2, carry 1); 2·4+1=9; answer 92.
    [InlineData(ArithmeticOperation.Multiply, 23, 4, "3*4+0=12;2<|step|>2*4+1=9;92<|answer|>92<|eos|>")]
    // Unequal lengths pad with 0; zeros of the running result are kept: 50+950 = 1000.
    [InlineData(ArithmeticOperation.Add, 50, 950, "0+0+0=0;0<|step|>5+5+0=10;00<|step|>0+9+1=10;000<|answer|>1000<|eos|>")]
    // 305×7: 5·7=35; 0·7+3=3; 3·7=21; answer 2135.
    [InlineData(ArithmeticOperation.Multiply, 305, 7, "5*7+0=35;5<|step|>0*7+3=3;35<|step|>3*7+0=21;135<|answer|>2135<|eos|>")]
    public void WorkedAnswersMatchHandWorkedOnes(ArithmeticOperation operation, long left, long right, string expected)
    {
        Assert.Equal(expected, ArithmeticWorkedAnswer.Write(operation, left, right));
    }

    [Fact]
    public void PromptAndResponseIdsAreBosTemplateAndWorkedAnswer()
    {
        var problem = new ArithmeticProblem(12, 34, new ArithmeticTemplate(ArithmeticOperation.Add, "{a}+{b}="));
        Assert.Equal([257, '1', '2', '+', '3', '4', '='], task.Prompt(problem));
        Assert.Equal(['2', '+', '4', '+', '0', '=', '6', ';', '6', 259, '1', '+', '3', '+', '0', '=', '4', ';', '4', '6', 260, '4', '6', 258],
            task.Response(problem));
    }

    [Fact]
    public void EveryWorkedAnswerHasCorrectStepsAndVerifiesToTheTrueValue()
    {
        foreach (ArithmeticDistribution distribution in new[] { ArithmeticDistribution.Training, ArithmeticDistribution.ShiftedRange })
        {
            foreach (ArithmeticProblem problem in distribution.Problems(seed: 7).Take(1000))
            {
                int[] response = task.Response(problem);
                Assert.Equal(1.0, task.Reward(response, problem.Answer));
                Assert.Equal(problem.Answer, ArithmeticVerifier.ParseAnswer(response, task.Tokenizer));
                CheckSteps(problem, task.Tokenizer.Decode(response));
            }
        }
    }

    // Re-derives every step from the text alone: its digits are the operands' column digits, its carry the previous
    // step's, its total the column's arithmetic, its running digits the true result's low digits; the answer is the
    // last carry followed by the last running digits.
    private static void CheckSteps(ArithmeticProblem problem, string text)
    {
        string[] parts = text.Split("<|answer|>");
        Assert.Equal(2, parts.Length);
        Assert.EndsWith("<|eos|>", parts[1]);
        string[] steps = parts[0].Split("<|step|>");
        long a = problem.Left, b = problem.Right;
        int columns = problem.Operation == ArithmeticOperation.Add ? Math.Max(Len(a), Len(b)) : Len(a);
        Assert.Equal(columns, steps.Length);
        long carry = 0, total = 0;
        string running = "";
        for (int k = 0; k < steps.Length; k++)
        {
            char op = problem.Operation == ArithmeticOperation.Add ? '+' : '*';
            string[] eq = steps[k].Split('=');
            string[] lhs = eq[0].Split(op, '+');
            string[] rhs = eq[1].Split(';');
            long x = long.Parse(lhs[0], CultureInfo.InvariantCulture), y = long.Parse(lhs[1], CultureInfo.InvariantCulture);
            long c = long.Parse(lhs[2], CultureInfo.InvariantCulture);
            total = long.Parse(rhs[0], CultureInfo.InvariantCulture);
            running = rhs[1];
            Assert.Equal(Digit(a, k), x);
            Assert.Equal(problem.Operation == ArithmeticOperation.Add ? Digit(b, k) : b, y);
            Assert.Equal(carry, c);
            Assert.Equal(problem.Operation == ArithmeticOperation.Add ? x + y + c : (x * y) + c, total);
            Assert.Equal(k + 1, running.Length);
            Assert.Equal(problem.Answer % Pow10(k + 1), long.Parse(running, CultureInfo.InvariantCulture));
            carry = total / 10;
        }
        string answer = parts[1][..^"<|eos|>".Length];
        Assert.Equal(((carry > 0 ? carry.ToString(CultureInfo.InvariantCulture) : "") + running).TrimStart('0'), answer);
        Assert.Equal(problem.Answer.ToString(CultureInfo.InvariantCulture), answer);
    }

    private static int Len(long v) => v.ToString(CultureInfo.InvariantCulture).Length;

    private static long Digit(long v, int k) => v / Pow10(k) % 10;

    private static long Pow10(int k) => (long)Math.Pow(10, k);

    [Fact]
    public void TrainingDrawsOnlyTrainingRangesAndWordings()
    {
        var templates = ArithmeticDistribution.TrainingTemplates.Select(t => t.Format).ToHashSet();
        int adds = 0;
        foreach (ArithmeticProblem p in ArithmeticDistribution.Training.Problems(seed: 3).Take(5000))
        {
            Assert.Contains(p.Template.Format, templates);
            if (p.Operation == ArithmeticOperation.Add)
            {
                adds++;
                Assert.InRange(p.Left, 10, 999);
                Assert.InRange(p.Right, 10, 999);
            }
            else
            {
                Assert.InRange(p.Left, 1, 99);
                Assert.InRange(p.Right, 1, 9);
            }
            Assert.False(ArithmeticDistribution.ShiftedRange.InRange(p));
        }
        Assert.InRange(adds, 2300, 2700); // half the templates are additions
    }

    [Fact]
    public void ShiftedSetsAreDisjointFromTraining()
    {
        var training = ArithmeticDistribution.TrainingTemplates.Select(t => t.Format).ToHashSet();
        Assert.All(ArithmeticDistribution.ShiftedTemplates, t => Assert.DoesNotContain(t.Format, training));
        // No shifted prompt's wording, with its numbers blanked, is a training prompt's.
        var trainingPrompts = ArithmeticDistribution.Training.Problems(1).Take(2000).Select(p => Blank(p.PromptText)).ToHashSet();
        foreach (ArithmeticProblem p in ArithmeticDistribution.ShiftedWording.Problems(2).Take(2000))
        {
            Assert.DoesNotContain(Blank(p.PromptText), trainingPrompts);
            Assert.True(ArithmeticDistribution.Training.InRange(p));
        }
        foreach (ArithmeticProblem p in ArithmeticDistribution.ShiftedRange.Problems(2).Take(2000))
        {
            Assert.False(ArithmeticDistribution.Training.InRange(p));
            if (p.Operation == ArithmeticOperation.Add)
            {
                Assert.InRange(p.Left, 1000, 9999);
                Assert.InRange(p.Right, 1000, 9999);
            }
            else
            {
                Assert.InRange(p.Left, 100, 999);
            }
        }
    }

    private static string Blank(string prompt) => new([.. prompt.Select(c => char.IsAsciiDigit(c) ? '#' : c)]);

    [Fact]
    public void SequencesStayWithinTheDocumentedBound()
    {
        // Longest by hand: "<|bos|>what is 999 multiplied by 9?" is 1 + 28 tokens; 9999+9999 is the steps
        // "9+9+0=18;8", "9+9+1=19;98", ... (10 to 13 bytes) each closed by a separator, then 19998<|eos|>.
        Assert.Equal(1 + 28, task.MaxPromptTokens(ArithmeticDistribution.ShiftedRange with { Templates = ArithmeticDistribution.ShiftedTemplates }));
        Assert.Equal(10 + 1 + 11 + 1 + 12 + 1 + 13 + 1 + 5 + 1, task.MaxResponseTokens(ArithmeticDistribution.ShiftedRange));
        foreach (ArithmeticDistribution d in new[] { ArithmeticDistribution.Training, ArithmeticDistribution.ShiftedWording, ArithmeticDistribution.ShiftedRange })
        {
            int maxPrompt = task.MaxPromptTokens(d), maxResponse = task.MaxResponseTokens(d);
            Assert.True(maxPrompt + maxResponse <= ArithmeticTask.SequenceBound, $"{d.Name}: {maxPrompt} + {maxResponse}");
            foreach (ArithmeticProblem p in d.Problems(11).Take(1000))
            {
                Assert.True(task.Prompt(p).Length <= maxPrompt);
                Assert.True(task.Response(p).Length <= maxResponse);
            }
        }
    }

    [Fact]
    public void SameSeedSameExamples()
    {
        var first = task.SftExamples(ArithmeticDistribution.Training, 5).Take(200).ToList();
        var again = task.SftExamples(ArithmeticDistribution.Training, 5).Take(200).ToList();
        var other = task.SftExamples(ArithmeticDistribution.Training, 6).Take(200).ToList();
        Assert.Equal(first.Select(e => e.Prompt.Concat(e.Response)), again.Select(e => e.Prompt.Concat(e.Response)));
        Assert.NotEqual(first.Select(e => e.Prompt.Concat(e.Response)), other.Select(e => e.Prompt.Concat(e.Response)));
        ArithmeticEvalSet set = task.EvalSet(ArithmeticDistribution.ShiftedRange, 50, 9);
        Assert.Equal(set.Items.Select(i => (string.Join(",", i.Prompt), i.Answer)),
            task.EvalSet(ArithmeticDistribution.ShiftedRange, 50, 9).Items.Select(i => (string.Join(",", i.Prompt), i.Answer)));
        Assert.Equal("shifted-range", set.Name);
    }

    [Fact]
    public void InvalidSettingsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new ArithmeticTemplate(ArithmeticOperation.Add, "{a}+=").Validate());
        Assert.Throws<ArgumentException>(() => new ArithmeticTemplate(ArithmeticOperation.Add, "{a}+{b}+{a}").Validate());
        Assert.Throws<ArgumentException>(() => new DigitRange(0, 2).Validate());
        Assert.Throws<ArgumentException>(() => new DigitRange(3, 2).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => ArithmeticWorkedAnswer.Write(ArithmeticOperation.Multiply, 12, 34));
    }
}
