using System.Buffers;
using System.Text;
using Nats.OrleansRoutes.Gateway.Routes;

namespace Nats.OrleansRoutes.Tests.Unit.Gateway;

/// <summary>
/// A reader's bytes appended to another connection's outbound buffer by reference: only that
/// reader, sending inline, may send them uncopied; anyone else, and whatever is left when the
/// reader settles, gets copies. A reference that outlived the reader's buffer would send whatever
/// the reader reads next, so every test overwrites the reader's buffer and checks what is left.
/// </summary>
public sealed class OutboundBorrowingTests
{
    private static readonly object Lender = new();

    [Fact]
    public void Borrowed_bytes_keep_their_place_between_written_bytes()
    {
        var output = new OutboundBuffer();
        var reader = Bytes("bbbb");
        lock (output.Gate)
        {
            output.Write("aa"u8);
            output.Borrow(new ReadOnlySequence<byte>(reader), Lender);
            output.Write("cc"u8);
        }

        lock (output.Gate)
            Assert.Equal("aabbbbcc", Text(output.TakeAll(Lender)));
        Assert.Equal(8, output.Pending);
    }

    [Fact]
    public void The_lender_takes_its_bytes_uncopied_and_everyone_else_takes_copies()
    {
        var own = new OutboundBuffer();
        var reader = Bytes("relayed run");
        lock (own.Gate)
            own.Borrow(new ReadOnlySequence<byte>(reader), Lender);
        List<ArraySegment<byte>> taken;
        lock (own.Gate)
            taken = own.TakeAll(Lender);
        Assert.Same(reader, Assert.Single(taken).Array);
        Assert.True(own.ReleaseSent(taken, reader.Length, out var uncopied));
        Assert.Equal(reader.Length, uncopied);
        Assert.Equal(0, own.Pending);

        var other = new OutboundBuffer();
        var second = Bytes("relayed run");
        lock (other.Gate)
            other.Borrow(new ReadOnlySequence<byte>(second), Lender);
        List<ArraySegment<byte>> copied;
        lock (other.Gate)
            copied = other.TakeAll(lender: null); // the writer loop, or another reader
        Array.Fill(second, (byte)'x');
        Assert.NotSame(second, Assert.Single(copied).Array);
        Assert.Equal("relayed run", Text(copied));
    }

    [Fact]
    public void Settling_copies_what_nobody_sent()
    {
        var output = new OutboundBuffer();
        var reader = Bytes("not sent yet");
        lock (output.Gate)
            output.Borrow(new ReadOnlySequence<byte>(reader), Lender);

        output.Settle(Lender);
        Array.Fill(reader, (byte)'x'); // the reader reads on into its buffer

        lock (output.Gate)
            Assert.Equal("not sent yet", Text(output.TakeAll(Lender)));
    }

    [Fact]
    public void After_a_partial_inline_send_what_is_left_is_a_copy()
    {
        var output = new OutboundBuffer();
        var reader = Bytes("0123456789");
        lock (output.Gate)
        {
            output.Write("ab"u8);
            output.Borrow(new ReadOnlySequence<byte>(reader), Lender);
        }
        List<ArraySegment<byte>> taken;
        lock (output.Gate)
            taken = output.TakeAll(Lender);

        Assert.False(output.ReleaseSent(taken, 5, out var uncopied)); // "ab" and "012" went out
        Assert.Equal(3, uncopied);
        Array.Fill(reader, (byte)'x');

        Assert.Equal("3456789", Text(taken));
        Assert.DoesNotContain(taken, s => ReferenceEquals(s.Array, reader));
        Assert.Equal(7, output.Pending);
    }

    [Fact]
    public void A_second_reader_cannot_borrow_while_the_first_has_bytes_waiting()
    {
        var output = new OutboundBuffer();
        var second = new object();
        lock (output.Gate)
        {
            output.Borrow(new ReadOnlySequence<byte>(Bytes("first")), Lender);
            Assert.True(output.CanBorrow(Lender));
            Assert.False(output.CanBorrow(second));
        }

        output.Settle(Lender);

        lock (output.Gate)
            Assert.True(output.CanBorrow(second));
    }

    [Fact]
    public void A_run_over_several_buffer_segments_is_borrowed_segment_by_segment()
    {
        var first = new Segment(Bytes("RMSG $G a 5\r\nhel"));
        var last = first.Append(Bytes("lo\r\n"));
        var output = new OutboundBuffer();
        lock (output.Gate)
            output.Borrow(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), Lender);

        output.Settle(Lender);
        Array.Fill(first.Array, (byte)'x');
        Array.Fill(last.Array, (byte)'x');

        lock (output.Gate)
            Assert.Equal("RMSG $G a 5\r\nhello\r\n", Text(output.TakeAll()));
    }

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static string Text(List<ArraySegment<byte>> segments) =>
        string.Concat(segments.Select(s => Encoding.ASCII.GetString(s.AsSpan())));

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] array)
        {
            Array = array;
            Memory = array;
        }

        public byte[] Array { get; }

        public Segment Append(byte[] array)
        {
            var next = new Segment(array) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
