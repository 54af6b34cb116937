using Nats.OrleansRoutes.Runtime.Invocation;
using Nats.OrleansRoutes.Runtime.Transport;

namespace Nats.OrleansRoutes.Runtime.Silo;

/// <summary>A silo in this process: calls it owns are handed over directly, without a socket.</summary>
internal interface ILocalGrainHost
{
    string SiloId { get; }

    Task<ResponseFrame> HandleAsync(GrainCall call, long callerVersion, CancellationToken cancellationToken);
}
