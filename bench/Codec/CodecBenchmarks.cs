using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Nats.OrleansRoutes.Protocol;

namespace Nats.OrleansRoutes.Bench.Codec;

/// <summary>
/// Per-message cost of the route codec: 1000 back-to-back RMSGs in one buffer (as the gateway
/// reads them from a pooled 2.10+ connection) parsed op by op, and the same messages written out
/// again. Results are per message (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private const int Messages = 1000;
    private ReadOnlySequence<byte> _input;
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private readonly RouteParser _parser = new();
    private byte[] _payload = [];

    [Params(16, 128, 1024)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = new byte[PayloadSize];
        var one = Encoding.ASCII.GetBytes($"RMSG $G bench.flow.{PayloadSize}.0 {PayloadSize}\r\n").Concat(_payload).Concat("\r\n"u8.ToArray()).ToArray();
        var all = new byte[Messages * one.Length];
        for (var i = 0; i < Messages; i++)
            one.CopyTo(all, i * one.Length);
        _input = new ReadOnlySequence<byte>(all);
    }

    [Benchmark(Description = "parse RMSG", OperationsPerInvoke = Messages)]
    public int Parse()
    {
        var buffer = _input;
        var parsed = 0;
        while (_parser.TryParse(ref buffer, out var op) == ParseStatus.Op)
            parsed += op.Size;
        return parsed;
    }

    [Benchmark(Description = "write RMSG", OperationsPerInvoke = Messages)]
    public int Write()
    {
        _output.ResetWrittenCount();
        var payload = new ReadOnlySequence<byte>(_payload);
        for (var i = 0; i < Messages; i++)
            RouteWriter.WriteMsg(_output, "$G"u8, "bench.flow.128.0"u8, default, default, payload);
        return _output.WrittenCount;
    }
}
