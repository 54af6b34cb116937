using Nats.OrleansRoutes.Runtime.Identity;
using Nats.OrleansRoutes.Runtime.Serialization;
using Nats.OrleansRoutes.Runtime.Storage;

namespace Nats.OrleansRoutes.Runtime.Grains;

/// <summary>What an activation gives its grain.</summary>
internal interface IGrainContext
{
    GrainId GrainId { get; }
    IGrainFactory GrainFactory { get; }
    IGrainStorage Storage { get; }
    GrainSerializer Serializer { get; }
    TimeProvider TimeProvider { get; }
    void DeactivateOnIdle();
}
