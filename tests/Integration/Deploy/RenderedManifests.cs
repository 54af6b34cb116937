using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Nats.OrleansRoutes.Tests.Integration.Deploy;

/// <summary>The documents of a rendered kustomization (<c>kubectl kustomize DIR</c>), read as plain maps and lists.</summary>
public sealed class RenderedManifests
{
    private RenderedManifests(List<Dictionary<object, object>> documents) => Documents = documents;

    public List<Dictionary<object, object>> Documents { get; }

    public static RenderedManifests Parse(string yaml)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var documents = new List<Dictionary<object, object>>();
        while (parser.Accept<DocumentStart>(out _))
            documents.Add(deserializer.Deserialize<Dictionary<object, object>>(parser));
        return new RenderedManifests(documents);
    }

    public IEnumerable<Dictionary<object, object>> OfKind(string kind) => Documents.Where(d => Str(d, "kind") == kind);

    public Dictionary<object, object> Named(string kind, string name) =>
        OfKind(kind).SingleOrDefault(d => Str(Map(d, "metadata"), "name") == name)
        ?? throw new InvalidOperationException($"the rendered manifests have no {kind} {name}");

    /// <summary>A ConfigMap's data.</summary>
    public IReadOnlyDictionary<string, string> ConfigMap(string name) =>
        Map(Named("ConfigMap", name), "data").ToDictionary(e => (string)e.Key, e => (string)e.Value);

    public static Dictionary<object, object> Map(Dictionary<object, object> node, string key) =>
        node.TryGetValue(key, out var value) && value is Dictionary<object, object> map ? map : [];

    public static List<object> List(Dictionary<object, object> node, string key) =>
        node.TryGetValue(key, out var value) && value is List<object> list ? list : [];

    public static string? Str(Dictionary<object, object> node, string key) =>
        node.TryGetValue(key, out var value) ? value as string : null;

    /// <summary>The pod template's spec of a Deployment or StatefulSet.</summary>
    public static Dictionary<object, object> PodSpec(Dictionary<object, object> workload) =>
        Map(Map(Map(workload, "spec"), "template"), "spec");

    public static int Replicas(Dictionary<object, object> workload) =>
        int.Parse(Str(Map(workload, "spec"), "replicas") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
}
