using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Conf;

namespace Nats.OrleansRoutes.Config.Validation;

/// <summary>The verdict on one configuration file, and the cluster spec when there is one.</summary>
public sealed record ConfigReport(string File, ClusterSpec? Spec, IReadOnlyList<ConfDiagnostic> Diagnostics)
{
    /// <summary>nats-server 2.15.1 would start with this file (warnings do not stop it).</summary>
    public bool IsValid => !Diagnostics.Any(d => d.IsError);

    public IEnumerable<ConfDiagnostic> Errors => Diagnostics.Where(d => d.IsError);

    public IEnumerable<ConfDiagnostic> Warnings => Diagnostics.Where(d => !d.IsError);
}
