using Nats.OrleansRoutes.Config.Conf;
using Nats.OrleansRoutes.Config.Output;
using Nats.OrleansRoutes.Config.Validation;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Unit.Config;

/// <summary>A written cluster block reads back as the same spec, for every valid corpus file.</summary>
public sealed class ClusterBlockWriterTests
{
    public static TheoryData<string> ValidCases =>
        [.. CorpusCase.Names().Where(n => CorpusCase.Load(n) is { StartsOn2_15: true, TestPassesOn2_15: true })];

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Written_blocks_read_back_to_the_same_spec(string name)
    {
        var corpus = CorpusCase.Load(name);
        var options = new ValidationOptions
        {
            WorkingDirectory = RepoPaths.ConfCorpus,
            Reader = new ConfReaderOptions { Environment = n => corpus.Environment.GetValueOrDefault(n) },
        };
        var original = NatsConfigValidator.ValidateFile(corpus.Path, options);
        if (original.Spec is null)
            return;

        var text = ClusterBlockWriter.Write(original.Spec, SecretMode.Reveal);
        var reread = NatsConfigValidator.ValidateText(text, "written.conf", options);

        Assert.True(reread.IsValid, text + "\n" + string.Join('\n', reread.Diagnostics));
        Assert.Equal(original.Spec with { Server = new() }, reread.Spec! with { Server = new() });
    }

    [Fact]
    public void Redacted_blocks_never_contain_a_secret()
    {
        var report = NatsConfigValidator.ValidateText(
            "cluster {\n name: C1\n listen: 127.0.0.1:4248\n authorization { user: ruser, password: s3cr3t }\n routes: [\"nats-route://ruser:s3cr3t@10.0.0.2:6222\"]\n}\n",
            "t.conf");
        var text = ClusterBlockWriter.Write(report.Spec!);
        Assert.DoesNotContain("s3cr3t", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", SpecJson.Serialize(report.Spec!), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", report.Spec!.ToString(), StringComparison.Ordinal);
        Assert.Contains("[REDACTED]", text, StringComparison.Ordinal);
    }
}
