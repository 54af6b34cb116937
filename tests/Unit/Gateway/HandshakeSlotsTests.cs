using Microsoft.Extensions.Options;
using Nats.OrleansRoutes.Gateway;
using Nats.OrleansRoutes.Gateway.Serving;

namespace Nats.OrleansRoutes.Tests.Unit.Gateway;

/// <summary>The gateway-wide bound on connections in their handshake: beyond it listeners wait, in turn.</summary>
public sealed class HandshakeSlotsTests
{
    private static HandshakeSlots Slots(int max) => new(Options.Create(new GatewayOptions { MaxHandshakes = max }));

    [Fact]
    public void Up_to_the_bound_connections_enter_at_once_and_a_slot_given_back_is_free_again()
    {
        using var slots = Slots(2);
        Assert.True(slots.TryEnter());
        Assert.True(slots.TryEnter());
        Assert.False(slots.TryEnter());
        Assert.Equal(2, slots.Used);
        slots.Exit();
        Assert.Equal(1, slots.Used);
        Assert.True(slots.TryEnter());
    }

    [Fact]
    public async Task Waiting_listeners_get_freed_slots_first_come_first_served_and_no_later_accept_jumps_the_queue()
    {
        using var slots = Slots(1);
        Assert.True(slots.TryEnter());
        var first = slots.EnterAsync(CancellationToken.None);
        var second = slots.EnterAsync(CancellationToken.None);
        Assert.False(first.IsCompleted);

        slots.Exit();
        await first.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(second.IsCompleted);
        Assert.False(slots.TryEnter()); // the slot went to the first waiter, not to whoever asks next

        slots.Exit();
        await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, slots.Used);
    }

    [Fact]
    public async Task A_listener_that_stops_stops_waiting()
    {
        using var slots = Slots(1);
        Assert.True(slots.TryEnter());
        using var stop = new CancellationTokenSource();
        var waiting = slots.EnterAsync(stop.Token);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        slots.Exit();
        Assert.Equal(0, slots.Used); // the cancelled wait took nothing
    }
}
