using System.Net;
using System.Net.Sockets;

namespace Nats.OrleansRoutes.TestKit;

/// <summary>Loopback ports nobody is listening on (asked of the OS, then released).</summary>
public static class FreePorts
{
    private static readonly HashSet<int> Handed = [];

    public static int Next(string host = "127.0.0.1")
    {
        lock (Handed)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse(host), 0));
                var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
                // Never hand out the same port twice in one test run, even after it is free again.
                if (Handed.Add(port))
                    return port;
            }
        }
        throw new InvalidOperationException("no free loopback port found");
    }
}
