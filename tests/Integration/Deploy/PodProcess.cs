using System.Globalization;
using System.Text.RegularExpressions;
using Nats.OrleansRoutes.TestKit;
using static Nats.OrleansRoutes.Tests.Integration.Deploy.RenderedManifests;

namespace Nats.OrleansRoutes.Tests.Integration.Deploy;

/// <summary>
/// One container of a rendered workload, run as a local process the way the kubelet would start it:
/// the image's entrypoint (unless the container sets <c>command</c>), the container's <c>args</c> with
/// <c>$(VAR)</c> expanded from its environment, and that environment resolved from values,
/// ConfigMaps, Secrets and the pod's fields. Addresses are mapped to the pod's loopback address.
/// </summary>
public sealed partial class PodProcess
{
    public required string PodName { get; init; }

    /// <summary>The pod's IP here: a 127.x address of its own.</summary>
    public required string PodIp { get; init; }

    public required Dictionary<object, object> Container { get; init; }

    public required IReadOnlyList<string> Command { get; init; }

    public required IReadOnlyList<string> Args { get; init; }

    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    public RunningProcess? Process { get; set; }

    /// <summary>
    /// Resolves <paramref name="container"/> of pod <paramref name="podName"/>: <paramref name="entrypoint"/>
    /// is the image's, <paramref name="secret"/> gives a Secret's key (null: missing), and <paramref name="mapHost"/>
    /// turns an address the cloud would resolve (0.0.0.0, a DNS name) into a loopback one.
    /// </summary>
    public static PodProcess Resolve(string podName, string podIp, Dictionary<object, object> container, IReadOnlyList<string> entrypoint,
        RenderedManifests manifests, Func<string, string, string?> secret, Func<string, string> mapHost)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Dictionary<object, object> variable in List(container, "env"))
        {
            var name = Str(variable, "name")!;
            if (Str(variable, "value") is { } value)
            {
                environment[name] = Expand(value, environment);
                continue;
            }
            var from = Map(variable, "valueFrom");
            if (Map(from, "configMapKeyRef") is { Count: > 0 } configMap)
                environment[name] = manifests.ConfigMap(Str(configMap, "name")!).TryGetValue(Str(configMap, "key")!, out var v)
                    ? v : throw new InvalidOperationException($"{podName}: env {name} names ConfigMap key {Str(configMap, "key")}, which it does not have");
            else if (Map(from, "secretKeyRef") is { Count: > 0 } secretRef)
                environment[name] = secret(Str(secretRef, "name")!, Str(secretRef, "key")!)
                    ?? throw new InvalidOperationException($"{podName}: env {name} names Secret {Str(secretRef, "name")} key {Str(secretRef, "key")}, which the deployment guide does not create");
            else if (Str(Map(from, "fieldRef"), "fieldPath") is { } field)
                environment[name] = field switch
                {
                    "metadata.name" => podName,
                    "status.podIP" => podIp,
                    _ => throw new InvalidOperationException($"{podName}: env {name} reads field {field}, which this test does not provide"),
                };
            else
                throw new InvalidOperationException($"{podName}: env {name} has neither value nor a known valueFrom");
        }
        var command = List(container, "command").Cast<string>().ToList();
        var args = List(container, "args").Cast<string>().Select(a => mapHost(Expand(a, environment))).ToList();
        return new PodProcess
        {
            PodName = podName,
            PodIp = podIp,
            Container = container,
            Command = command.Count > 0 ? command : entrypoint,
            Args = args,
            Environment = environment,
        };
    }

    /// <summary>Kubernetes' expansion of <c>$(VAR)</c> in args: defined variables only; <c>$$</c> is a literal <c>$</c>.</summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> environment) =>
        Reference().Replace(text, m => m.Value == "$$" ? "$" : environment.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    [GeneratedRegex(@"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Reference();

    /// <summary>The value after a flag in the args, e.g. <c>--monitor-port</c>.</summary>
    public string? Flag(string flag)
    {
        var at = Args.ToList().IndexOf(flag);
        return at >= 0 && at + 1 < Args.Count ? Args[at + 1] : null;
    }

    /// <summary>Every port the program was told to listen on by its args (single ports and FROM-TO ranges).</summary>
    public HashSet<int> PortsFromArgs()
    {
        var ports = new HashSet<int>();
        foreach (var flag in new[] { "--port", "--gateway-port", "--health-port", "--monitor-port", "--dashboard-port" })
        {
            if (Flag(flag) is { } value)
                ports.Add(int.Parse(value, CultureInfo.InvariantCulture));
        }
        if (Flag("--ports") is { } range && range.Split('-') is [var from, var to])
        {
            for (var p = int.Parse(from, CultureInfo.InvariantCulture); p <= int.Parse(to, CultureInfo.InvariantCulture); p++)
                ports.Add(p);
        }
        return ports;
    }

    /// <summary>The container's declared ports: name → number.</summary>
    public Dictionary<string, int> ContainerPorts() =>
        List(Container, "ports").Cast<Dictionary<object, object>>()
            .ToDictionary(p => Str(p, "name") ?? Str(p, "containerPort")!, p => int.Parse(Str(p, "containerPort")!, CultureInfo.InvariantCulture));

    /// <summary>A probe's HTTP path and port number (a named port resolved).</summary>
    public (string Path, int Port)? Probe(string kind)
    {
        var get = Map(Map(Container, kind), "httpGet");
        if (get.Count == 0)
            return null;
        var port = Str(get, "port")!;
        return (Str(get, "path")!, int.TryParse(port, CultureInfo.InvariantCulture, out var n) ? n
            : ContainerPorts().TryGetValue(port, out var named) ? named
            : throw new InvalidOperationException($"{PodName}: {kind} names port {port}, which the container does not declare"));
    }
}
