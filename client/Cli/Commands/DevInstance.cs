using System.Text.Json;

namespace Nats.OrleansRoutes.Cli.Commands;

/// <summary>
/// Where a running `natsroutes dev` tells other natsroutes commands how to reach it:
/// .natsroutes/dev.json in the repository (or the home folder outside one).
/// </summary>
internal static class DevInstance
{
    /// <summary>Where the dev silo takes client calls, its process, its deployment name and the gateway's monitoring URL.</summary>
    public sealed record Record(string Silo, int Pid, string Prefix, string? GatewayMonitor = null);

    public static string FilePath
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("NATSROUTES_ROOT") is { Length: > 0 } r ? r
                : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(root, ".natsroutes", "dev.json");
        }
    }

    public static Record? Read()
    {
        try
        {
            var record = JsonSerializer.Deserialize<Record>(File.ReadAllText(FilePath));
            return record is not null && IsRunning(record.Pid) ? record : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static void Write(Record record)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        File.WriteAllText(FilePath, JsonSerializer.Serialize(record));
    }

    public static void Remove()
    {
        if (Read() is { } record && record.Pid == Environment.ProcessId)
            File.Delete(FilePath);
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
