namespace ActorRL.Actors.Tests;

public class PathTests
{
    private static readonly TimeSpan Timeout = TestProbe.DefaultTimeout;

    [Theory]
    [InlineData("actorrl://sys@host:1234/user/a")]
    [InlineData("actorrl://sys@host/user/a/b")]
    [InlineData("actorrl://sys/user/a")]
    [InlineData("actorrl://train@node-1.cluster:5672/user/learner/$r0")]
    [InlineData("actorrl://sys/")]
    public void ParseAndToStringRoundTrip(string text)
    {
        ActorPath path = ActorPath.Parse(text);

        Assert.Equal(text, path.ToString());
        Assert.Equal(path, ActorPath.Parse(path.ToString()));
    }

    [Fact]
    public void ParseSplitsTheAddressAndTheElements()
    {
        ActorPath path = ActorPath.Parse("actorrl://sys@host:1234/user/a");

        Assert.Equal(new Address("sys", "host", 1234), path.Address);
        Assert.False(path.Address.IsLocal);
        Assert.Equal(["user", "a"], path.Elements);
        Assert.Equal("a", path.Name);
        Assert.Equal("/user/a", path.ToStringWithoutAddress());
        Assert.Equal(ActorPath.Parse("actorrl://sys@host:1234/user"), path.Parent);
        Assert.Equal(path, path.Parent.Child("a"));
        Assert.Equal(path.GetHashCode(), ActorPath.Parse("actorrl://sys@host:1234/user/a").GetHashCode());
    }

    [Fact]
    public void PathsDifferByAddressAndByElements()
    {
        ActorPath local = ActorPath.Parse("actorrl://sys/user/a");

        Assert.True(local.Address.IsLocal);
        Assert.NotEqual(local, ActorPath.Parse("actorrl://sys@host:1234/user/a"));
        Assert.NotEqual(local, ActorPath.Parse("actorrl://sys/user/b"));
        Assert.NotEqual(local, ActorPath.Parse("actorrl://other/user/a"));
        ActorPath root = ActorPath.Root(new Address("sys"));
        Assert.Equal("/", root.Name);
        Assert.Equal(root, root.Parent);
    }

    [Theory]
    [InlineData("akka://sys/user/a")]
    [InlineData("sys/user/a")]
    [InlineData("actorrl:///user/a")]
    [InlineData("actorrl://@host:1/user/a")]
    [InlineData("actorrl://sys@host:port/user/a")]
    public void ParseRejectsWhatIsNotAnActorPath(string text)
    {
        Assert.Throws<FormatException>(() => ActorPath.Parse(text));
    }

    [Fact]
    public async Task ActorPathsFollowTheHierarchy()
    {
        await using var system = ActorSystem.Create("paths");
        var journal = new Journal();
        var parent = system.ActorOf(Parent.Props(journal, null, ("child", Worker.Props(journal))), "parent");
        var child = await parent.Ask<IActorRef>(new GetChild("child"), Timeout);

        Assert.Equal("actorrl://paths/user/parent", parent.Path.ToString());
        Assert.Equal("actorrl://paths/user/parent/child", child.Path.ToString());
        Assert.Equal(parent.Path, child.Path.Parent);
        Assert.Equal("actorrl://paths/deadLetters", system.DeadLetters.Path.ToString());
    }

    [Fact]
    public async Task ADuplicateNameIsRejected()
    {
        await using var system = ActorSystem.Create("dupnames");
        system.ActorOf(Worker.Props(new Journal()), "same");

        var e = Assert.Throws<InvalidActorNameException>(() => system.ActorOf(Worker.Props(new Journal()), "same"));
        Assert.Contains("same", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("a#b")]
    [InlineData("a b")]
    [InlineData("tab\there")]
    [InlineData("what?")]
    [InlineData("100%")]
    [InlineData("$reserved")]
    public async Task AnInvalidNameIsRejected(string name)
    {
        await using var system = ActorSystem.Create("badnames");

        Assert.Throws<InvalidActorNameException>(() => system.ActorOf(Worker.Props(new Journal()), name));
    }

    [Fact]
    public async Task GeneratedNamesAreUniqueAndReserved()
    {
        await using var system = ActorSystem.Create("gennames");

        var names = Enumerable.Range(0, 30).Select(_ => system.ActorOf(Worker.Props(new Journal())).Path.Name).ToList();

        Assert.Equal(30, names.Distinct().Count());
        Assert.All(names, n => Assert.StartsWith("$", n, StringComparison.Ordinal));
        var allowed = system.ActorOf(Worker.Props(new Journal()), "a-b_c.d:e@f");
        Assert.Equal("a-b_c.d:e@f", allowed.Path.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("has space")]
    [InlineData("slash/")]
    public void AnInvalidSystemNameIsRejected(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => ActorSystem.Create(name));
    }

    [Fact]
    public async Task RefsAreEqualByPathAndIncarnation()
    {
        await using var system = ActorSystem.Create("incarnations");
        var first = system.ActorOf(Worker.Props(new Journal()), "w");
        Assert.True(await first.GracefulStop(Timeout));

        // The name is free once the parent has seen the child stop; that is asynchronous, so retry briefly.
        IActorRef? second = null;
        await Eventually.True(() =>
        {
            try
            {
                second = system.ActorOf(Worker.Props(new Journal()), "w");
                return true;
            }
            catch (InvalidActorNameException)
            {
                return false;
            }
        }, "the name 'w' to be free again");

        Assert.Equal(first.Path, second!.Path);
        Assert.NotEqual(first, second);
        Assert.NotEqual(first.Uid, second.Uid);
    }
}
