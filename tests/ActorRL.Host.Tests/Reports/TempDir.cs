namespace ActorRL.Host.Tests.Reports;

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("actorrl-host-tests-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
