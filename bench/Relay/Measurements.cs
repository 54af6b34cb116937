using System.Diagnostics;
using Nats.OrleansRoutes.TestKit;
using Nats.OrleansRoutes.TestKit.Nats;

namespace Nats.OrleansRoutes.Bench.Relay;

/// <summary>One throughput run: messages/s received on B from a publisher on A, and what the middle process used.</summary>
internal sealed record ThroughputResult(string Setup, int Size, int Run, double MessagesPerSecond, long Published, long Received,
    double MiddleCpuPercent, long MiddleRssBytes, double? WireBytesPerMessage);

/// <summary>What the messages carry: random bytes (incompressible) or JSON-like text (compressible).</summary>
internal enum PayloadKind
{
    Random,
    Json,
}

/// <summary>Request/reply round trips, A → B and B → A, in microseconds.</summary>
internal sealed record LatencyResult(string Setup, int Run, double P50AtoB, double P99AtoB, double P50BtoA, double P99BtoA);

internal static class Measurements
{
    private static readonly TimeSpan Warmup = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A publisher on A sends as fast as nats-server lets it (it stalls fast producers) for warmup +
    /// <paramref name="window"/>; the rate is what B's subscriber received during the window.
    /// </summary>
    public static async Task<ThroughputResult> ThroughputAsync(RelaySetup setup, int size, int run, TimeSpan window, PayloadKind kind)
    {
        for (var attempt = 1; ; attempt++)
        {
            var slowBefore = SlowConsumers(setup.B.Output);
            try
            {
                return await MeasureThroughputAsync(setup, size, run, window, kind);
            }
            catch (Exception e) when (e is IOException or TimeoutException)
            {
                // The benchmark's own subscriber shares the cores with everything else; when B cuts it
                // off as a slow consumer (64 MiB behind) the run says nothing about the route: repeat it.
                if (SlowConsumers(setup.B.Output) > slowBefore && attempt < 3)
                {
                    Console.WriteLine($"{setup.Name} {size} B run {run}: the benchmark's subscriber fell 64 MiB behind and was cut off by B; repeating the run");
                    RepeatedRuns++;
                    continue;
                }
                throw new InvalidOperationException($"{setup.Name} {size} B run {run}: {e.Message}\nA:\n{Tail(setup.A.Output)}\nB:\n{Tail(setup.B.Output)}", e);
            }
        }
    }

    /// <summary>Runs repeated because the benchmark's subscriber was cut off (reported).</summary>
    public static int RepeatedRuns { get; private set; }

    private static int SlowConsumers(string output) => output.Split("Slow Consumer Detected").Length - 1;

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(15));

    private static async Task<ThroughputResult> MeasureThroughputAsync(RelaySetup setup, int size, int run, TimeSpan window, PayloadKind kind)
    {
        await using var publisher = await FramePublisher.ConnectAsync(setup.A.ClientPort, CancellationToken.None);
        var subject = $"bench.flow.{size}.{run}";
        await using var received = await CountingSubscriber.ConnectAsync(setup.B.ClientPort, subject);
        // A probe subscribed after the counting subscription (and acknowledged) arrives at A after it.
        await using (var probeSubscriber = await setup.B.ConnectAsync(name: "bench-probe-sub"))
        await using (var probePublisher = await setup.A.ConnectAsync(name: "bench-probe-pub"))
            await WaitInterestAsync(probeSubscriber, probePublisher);

        // The frames are published over and over. S2 finds repeats anywhere in its 1 MiB block, so on
        // a compressed route they must not repeat within one, or it would compress the repetition
        // rather than the messages.
        var distinct = setup.Compressed ? 4 * 1024 * 1024 : 256 * 1024;
        var batch = Math.Clamp(distinct / (size + 32), 4, setup.Compressed ? 40_000 : 2000);
        var frames = FramePublisher.Frames(subject, size, batch, (i, payload) => Fill(kind, run * batch + i, payload));
        using var stop = new CancellationTokenSource(Warmup + window);
        long published = 0;
        var publishing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await publisher.PublishAsync(frames, CancellationToken.None);
                published += batch;
            }
        });

        await Task.Delay(Warmup);
        var startCount = received.Count;
        var startWire = await setup.WireBytesOutAsync();
        var startStats = setup.MiddlePid is { } pid ? ProcessStats.Read(pid) : default;
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        var endCount = received.Count;
        var elapsed = clock.Elapsed;
        var endStats = setup.MiddlePid is { } pid2 ? ProcessStats.Read(pid2) : default;
        var endWire = await setup.WireBytesOutAsync();
        double? wirePerMessage = startWire is { } w0 && endWire is { } w1 && endCount > startCount ? (w1 - w0) / (endCount - startCount) : null;
        await publishing;
        // Let what is still in flight arrive before the next run starts.
        await publisher.PingAsync(CancellationToken.None);
        await received.WaitForCountAsync(published, TimeSpan.FromSeconds(10));

        return new ThroughputResult(setup.Name, size, run, (endCount - startCount) / elapsed.TotalSeconds, published, received.Count,
            setup.MiddlePid is null ? 0 : (endStats.Cpu - startStats.Cpu) / elapsed * 100, endStats.RssBytes, wirePerMessage);
    }

    /// <summary>
    /// Message <paramref name="seed"/>'s payload: random bytes, or JSON records such as services
    /// publish (field names repeat, values vary), which S2 shrinks.
    /// </summary>
    private static void Fill(PayloadKind kind, int seed, Span<byte> payload)
    {
        var random = new Random(seed);
        if (kind == PayloadKind.Random)
        {
            random.NextBytes(payload);
            return;
        }
        var size = payload.Length;
        var text = new System.Text.StringBuilder();
        while (text.Length < size)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{{\"id\":{random.Next(1_000_000)},\"event\":\"order.{(random.Next(3) switch { 0 => "created", 1 => "paid", _ => "shipped" })}\",\"amount\":{random.Next(100_000) / 100.0},\"currency\":\"EUR\",\"customer\":\"c-{random.Next(10_000):D6}\"}}");
        }
        System.Text.Encoding.ASCII.GetBytes(text.ToString(0, size), payload);
    }

    /// <summary>Sequential requests both ways for <paramref name="window"/> each; percentiles of the round trips.</summary>
    public static async Task<LatencyResult> LatencyAsync(RelaySetup setup, int run, TimeSpan window)
    {
        var (p50a, p99a) = await RoundTripsAsync(setup.A, setup.B, $"bench.rr.ab.{run}", window);
        var (p50b, p99b) = await RoundTripsAsync(setup.B, setup.A, $"bench.rr.ba.{run}", window);
        return new LatencyResult(setup.Name, run, p50a, p99a, p50b, p99b);
    }

    private static async Task<(double P50, double P99)> RoundTripsAsync(NatsServerProcess from, NatsServerProcess to, string subject, TimeSpan window)
    {
        await using var requester = await from.ConnectAsync(name: "bench-req");
        await using var responder = await to.ConnectAsync(name: "bench-rep");
        var answer = new byte[16];
        await responder.ServeAsync(subject, _ => answer);
        await WaitInterestAsync(responder, requester);
        var request = new byte[16];
        for (var i = 0; i < 200; i++)
            await requester.RequestAsync(subject, request, TimeSpan.FromSeconds(5));

        var samples = new List<double>(100_000);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window && samples.Count < 1_000_000)
        {
            var start = Stopwatch.GetTimestamp();
            await requester.RequestAsync(subject, request, TimeSpan.FromSeconds(5));
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        samples.Sort();
        return (samples[samples.Count / 2], samples[(int)(samples.Count * 0.99)]);
    }

    /// <summary>Until a probe subscribed after the others reaches the publisher's server (interest travels in order).</summary>
    private static async Task WaitInterestAsync(NatsClient subscriber, NatsClient publisher)
    {
        var probe = await subscriber.SubscribeAsync("bench.probe." + Guid.NewGuid().ToString("N"));
        await subscriber.PingAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (probe.Count == 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("interest did not propagate within 30 s");
            await publisher.PublishAsync(probe.Subject, "?");
            await Task.Delay(20);
        }
        await probe.UnsubscribeAsync();
    }
}
