using System.Globalization;
using System.Text.RegularExpressions;
using Nats.OrleansRoutes.Protocol;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Unit.Protocol;

/// <summary>The account → pool slot function against the slots real 2.10.27 and 2.15.1 servers used.</summary>
public sealed partial class PoolIndexTests
{
    public static TheoryData<string, string, int, int> Observed()
    {
        var data = new TheoryData<string, string, int, int>();
        foreach (var line in File.ReadLines(Path.Combine(RepoPaths.Transcripts, "pool_index_observed.txt")))
        {
            var m = ObservedPattern().Match(line);
            if (m.Success)
            {
                data.Add(m.Groups["version"].Value, m.Groups["account"].Value,
                    int.Parse(m.Groups["size"].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups["idx"].Value, CultureInfo.InvariantCulture));
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Observed))]
    public void Matches_the_slot_the_server_used(string version, string account, int poolSize, int observed)
    {
        Assert.Equal(observed, PoolIndex.Of(account, poolSize));
        _ = version;
    }

    [Fact]
    public void Every_observation_was_read() => Assert.Equal(24, Observed().Count);

    [Theory]
    [InlineData("$G", 0x7abc619cu)]
    [InlineData("ACME", 0x4adf3eefu)]
    [InlineData("$SYS", 0x02d66af8u)]
    public void Fnv1a32_matches_the_protocol_reference(string account, uint hash) =>
        Assert.Equal(hash, PoolIndex.Fnv1a32(System.Text.Encoding.UTF8.GetBytes(account)));

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_pool_of_one_or_none_is_slot_zero(int poolSize) => Assert.Equal(0, PoolIndex.Of("ACME", poolSize));

    [GeneratedRegex(@"^(?<version>2\.[0-9.]+)\s+pool_size=(?<size>[0-9]+)\s+account=(?<account>\S+)\s+observed_idx=(?<idx>[0-9]+)")]
    private static partial Regex ObservedPattern();
}
