using System.Diagnostics;
using System.Text;

namespace Nats.OrleansRoutes.TestKit;

/// <summary>
/// A long-running program a test started (a server, a silo). Its output is kept for assertions
/// and failure messages; it is stopped by process id when the test is done.
/// </summary>
public sealed class RunningProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource<string> Seen)> _waiters = [];

    private RunningProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static RunningProcess Start(string name, string file, IEnumerable<string> args, string? workingDirectory = null,
        IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var running = new RunningProcess(process, name);
        process.OutputDataReceived += (_, e) => running.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => running.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        lock (_output)
        {
            _output.AppendLine(line);
            foreach (var (text, seen) in _waiters)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                    seen.TrySetResult(line);
            }
        }
    }

    /// <summary>Waits until a line containing <paramref name="text"/> appears; fails with the output so far.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            var earlier = _output.ToString().Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (earlier is not null)
                return earlier.TrimEnd('\r');
            _waiters.Add((text, seen));
        }
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout));
        if (done == seen.Task)
            return await seen.Task;
        throw new TimeoutException(done == exited
            ? $"{Name} exited (code {_process.ExitCode}) before printing \"{text}\":\n{Output}"
            : $"{Name} did not print \"{text}\" within {timeout}:\n{Output}");
    }

    /// <summary>SIGTERM (graceful), then SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
            return;
        Signals.Terminate(_process.Id);
        using var wait = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>kill -9: no chance to clean up.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        _process.Dispose();
    }
}

/// <summary>POSIX signals by process id.</summary>
public static class Signals
{
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    public static void Terminate(int pid) => _ = SysKill(pid, 15);

    public static void Stop(int pid) => _ = SysKill(pid, 19);

    public static void Continue(int pid) => _ = SysKill(pid, 18);

    /// <summary>SIGUSR2: nats-server enters lame-duck mode.</summary>
    public static void LameDuck(int pid) => _ = SysKill(pid, 12);
}
