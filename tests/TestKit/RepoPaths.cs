namespace Nats.OrleansRoutes.TestKit;

/// <summary>Locations inside the repository, found from the test assembly by walking up to the solution file.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string Transcripts => Path.Combine(Root, "tests", "fixtures", "route-transcripts");

    public static string ConfCorpus => Path.Combine(Root, "tests", "corpus", "conf");

    public static string Tools => Path.Combine(Root, "tools");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Nats.OrleansRoutes.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException(
            $"Nats.OrleansRoutes.sln not found above {AppContext.BaseDirectory}; run the tests from inside the repository.");
    }
}
