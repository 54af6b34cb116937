using System.Text.Json;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Integration.Deploy;

/// <summary>
/// Runs the build stage of <c>deploy/docker/Dockerfile</c> without a container runtime: its COPY
/// lines copy from the repository into a scratch <c>/src</c>, and its <c>RUN dotnet publish …</c>
/// runs there as written, with the stage's absolute paths mapped into a scratch directory. What the
/// runtime stage copies from the build stage is then the program the image would run, and the
/// image's ENTRYPOINT (with <c>/app</c> mapped) is how to start it.
/// </summary>
public sealed class DockerfileBuild
{
    public static string DockerfilePath => Path.Combine(RepoPaths.Root, "deploy", "docker", "Dockerfile");

    /// <summary>Where the published program is (the image's /app).</summary>
    public required string App { get; init; }

    /// <summary>The ENTRYPOINT, with /app mapped to <see cref="App"/>.</summary>
    public required IReadOnlyList<string> Entrypoint { get; init; }

    /// <summary>The <c>RUN dotnet publish</c> line of the build stage, as written.</summary>
    public required string PublishCommand { get; init; }

    public static async Task<DockerfileBuild> RunAsync(string scratch)
    {
        var lines = JoinContinuations(await File.ReadAllLinesAsync(DockerfilePath));
        var root = Path.Combine(scratch, "root");
        string Map(string path) => path.StartsWith('/') ? Path.Combine(root, path.TrimStart('/')) : path;
        var workdir = "/";
        string? publish = null;
        var entrypoint = new List<string>();
        foreach (var line in lines)
        {
            var (instruction, rest) = Split(line);
            switch (instruction)
            {
                case "FROM":
                    workdir = "/";
                    break;
                case "WORKDIR":
                    workdir = rest.StartsWith('/') ? rest : Path.Combine(workdir, rest);
                    Directory.CreateDirectory(Map(workdir));
                    break;
                case "COPY" when !rest.StartsWith("--from", StringComparison.Ordinal):
                    var parts = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var target = parts[^1] is "./" or "." ? workdir : Path.Combine(workdir, parts[^1]);
                    foreach (var source in parts[..^1])
                        Copy(Path.Combine(RepoPaths.Root, source), source.EndsWith('/') ? Map(target) : Path.Combine(Map(target), Path.GetFileName(source)));
                    break;
                case "RUN" when rest.StartsWith("dotnet publish", StringComparison.Ordinal):
                    publish = rest;
                    var args = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..].Select(a => a.StartsWith('/') ? Map(a) : a).ToList();
                    var result = await ProcessRunner.RunAsync("dotnet", args, TimeSpan.FromMinutes(10), workingDirectory: Map(workdir));
                    if (result.ExitCode != 0)
                        throw new InvalidOperationException($"the Dockerfile's publish failed:\n{result.AllOutput}");
                    break;
                case "ENTRYPOINT":
                    entrypoint = [.. JsonSerializer.Deserialize<string[]>(rest)!.Select(a => a.StartsWith("/app/", StringComparison.Ordinal) ? Map(a) : a)];
                    break;
            }
        }
        return new DockerfileBuild
        {
            App = Map("/app"),
            Entrypoint = entrypoint,
            PublishCommand = publish ?? throw new InvalidOperationException("the Dockerfile's build stage has no RUN dotnet publish"),
        };
    }

    private static (string Instruction, string Arguments) Split(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (line, "") : (line[..space], line[(space + 1)..].Trim());
    }

    private static List<string> JoinContinuations(string[] lines)
    {
        var joined = new List<string>();
        var current = "";
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
                continue;
            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }
            joined.Add(current + line);
            current = "";
        }
        return joined;
    }

    private static void Copy(string source, string target)
    {
        if (File.Exists(source))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target, overwrite: true);
            return;
        }
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
                continue;
            var to = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }
    }
}
