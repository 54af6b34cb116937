using System.Buffers;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Nats.OrleansRoutes.Protocol.Compression;

namespace Nats.OrleansRoutes.Bench.Codec;

/// <summary>
/// Cost of the compressed direction of a route per uncompressed kilobyte: 256 KiB of RMSGs with
/// JSON-like 1 KiB payloads (what bench/Relay's compressed rows send), written as one S2 stream
/// and read back; and 4 MiB of random bytes in the stored 1 MiB chunks nats-server sends them in.
/// </summary>
[MemoryDiagnoser]
public class S2Benchmarks
{
    private const int Kilobytes = 256;
    private ReadOnlySequence<byte> _plain;
    private ReadOnlySequence<byte> _compressed;
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private readonly S2StreamReader _reader = new();

    // Random bytes as nats-server sends them: stored chunks of 1 MiB, four to a stream.
    private const int StoredKilobytes = 4 * 1024;
    private ReadOnlySequence<byte> _storedStream;
    private readonly ArrayBufferWriter<byte>[] _stored = [.. Enumerable.Range(0, 16).Select(_ => new ArrayBufferWriter<byte>(StoredKilobytes * 1024))];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        var text = new StringBuilder();
        while (text.Length < Kilobytes * 1024)
        {
            var record = new StringBuilder();
            while (record.Length < 1024)
                record.Append(CultureInfo.InvariantCulture, $"{{\"id\":{random.Next(1_000_000)},\"event\":\"order.paid\",\"amount\":{random.Next(100_000) / 100.0},\"currency\":\"EUR\",\"customer\":\"c-{random.Next(10_000):D6}\"}}");
            text.Append("RMSG $G bench.flow.1024.0 1024\r\n").Append(record.ToString(0, 1024)).Append("\r\n");
        }
        var plain = Encoding.ASCII.GetBytes(text.ToString(0, Kilobytes * 1024));
        _plain = new ReadOnlySequence<byte>(plain);
        var writer = new ArrayBufferWriter<byte>();
        S2StreamWriter.Write(_plain, writer, compress: true);
        _compressed = new ReadOnlySequence<byte>(writer.WrittenMemory.ToArray());

        var stored = new ArrayBufferWriter<byte>();
        S2StreamWriter.WriteIdentifier(stored);
        var data = new byte[1024 * 1024];
        for (var chunk = 0; chunk < StoredKilobytes / 1024; chunk++)
        {
            random.NextBytes(data);
            var span = stored.GetSpan(8 + data.Length);
            S2StreamWriter.StoredChunkHeader(span, data.Length, S2Crc.Masked(data));
            data.CopyTo(span[8..]);
            stored.Advance(8 + data.Length);
        }
        _storedStream = new ReadOnlySequence<byte>(stored.WrittenMemory.ToArray());
    }

    [Benchmark(Description = "S2 write, per KiB", OperationsPerInvoke = Kilobytes)]
    public int Write()
    {
        _output.ResetWrittenCount();
        S2StreamWriter.Write(_plain, _output, compress: true);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "S2 read, per KiB", OperationsPerInvoke = Kilobytes)]
    public int Read()
    {
        _output.ResetWrittenCount();
        var input = _compressed;
        _reader.Read(ref input, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "S2 read of stored 1 MiB chunks, per KiB", OperationsPerInvoke = StoredKilobytes)]
    public int ReadStored()
    {
        // A fresh region of a 64 MiB ring each time: what a relay decodes into is not in the cache.
        var output = _stored[_next++ % _stored.Length];
        output.ResetWrittenCount();
        var input = _storedStream;
        _reader.Read(ref input, output);
        return output.WrittenCount;
    }

    [Benchmark(Description = "CRC-32C, per KiB", OperationsPerInvoke = Kilobytes)]
    public uint Crc() => S2Crc.Masked(_plain.FirstSpan);
}
