using System.Net;
using System.Net.Sockets;
using Nats.OrleansRoutes.Gateway.Serving;

namespace Nats.OrleansRoutes.Tests.Unit.Gateway;

public sealed class RouteListenerTests
{
    [Fact]
    public void A_second_listener_on_the_same_port_is_refused()
    {
        using var first = RouteListener.Open(IPAddress.Loopback, 0);
        var port = ((IPEndPoint)first.LocalEndPoint!).Port;
        var error = Assert.Throws<SocketException>(() => RouteListener.Open(IPAddress.Loopback, port).Dispose());
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }

    [Fact]
    public void A_port_with_a_connection_in_time_wait_can_be_bound_again()
    {
        int port;
        using (var listener = RouteListener.Open(IPAddress.Loopback, 0))
        {
            port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
            client.Connect(IPAddress.Loopback, port);
            using var accepted = listener.Accept();
            // The listening side closes first: its end of the connection goes to TIME_WAIT.
            accepted.Shutdown(SocketShutdown.Both);
            accepted.Close();
            client.Close();
        }
        using var again = RouteListener.Open(IPAddress.Loopback, port);
        Assert.Equal(port, ((IPEndPoint)again.LocalEndPoint!).Port);
    }
}
