using System.Net;
using System.Net.Sockets;

namespace Nats.OrleansRoutes.Gateway.Serving;

/// <summary>The listening socket of a cluster's route endpoint.</summary>
internal static class RouteListener
{
    private const int SolSocket = 1; // Linux <sys/socket.h>
    private const int SoReuseAddr = 2;

    /// <summary>
    /// Binds and listens; throws <see cref="SocketException"/> (AddressAlreadyInUse) if anything
    /// listens on the port already. SO_REUSEADDR only, so a restarted gateway binds at once despite
    /// connections in TIME_WAIT. Not .NET's ReuseAddress option: on Linux it sets SO_REUSEPORT as
    /// well, which let a second listener share the port (two clusters given one port, or another
    /// gateway process on the same address) and the kernel hand it half the members.
    /// </summary>
    public static Socket Open(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (OperatingSystem.IsLinux())
                socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            if (address.Equals(IPAddress.IPv6Any))
                socket.DualMode = true; // "::" takes IPv4 members too, as Go's listener does
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(512);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
