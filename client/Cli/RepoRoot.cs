namespace Nats.OrleansRoutes.Cli;

/// <summary>The repository the program was built from (set by ./natsroutes, else found from the binary).</summary>
internal static class RepoRoot
{
    public static string? Find()
    {
        var fromLauncher = Environment.GetEnvironmentVariable("NATSROUTES_ROOT");
        if (!string.IsNullOrEmpty(fromLauncher) && File.Exists(Path.Combine(fromLauncher, "Nats.OrleansRoutes.sln")))
            return fromLauncher;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nats.OrleansRoutes.sln")))
                return dir.FullName;
        }
        return null;
    }
}
