using Nats.OrleansRoutes.Config.Conf;
using Nats.OrleansRoutes.Config.Validation;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Unit.Config;

/// <summary>
/// Every file of the corpus gets the verdict the real nats-server 2.15.1 gave when started with
/// it, and a refused file is refused for the same reason on the same line.
/// </summary>
public sealed class ConfCorpusTests
{
    public static TheoryData<string> Cases => [.. CorpusCase.Names()];

    [Fact]
    public void The_corpus_is_big_enough_and_mixed()
    {
        var cases = CorpusCase.Names().Select(CorpusCase.Load).ToList();
        Assert.True(cases.Count >= 60, $"only {cases.Count} corpus cases");
        Assert.True(cases.Count(c => c.StartsOn2_15) >= 20, "too few valid cases");
        Assert.True(cases.Count(c => !c.StartsOn2_15) >= 20, "too few invalid cases");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Same_verdict_as_nats_server_2_15_1(string name)
    {
        var corpus = CorpusCase.Load(name);
        var report = Validate(corpus);
        Assert.True(corpus.StartsOn2_15 == report.IsValid,
            $"nats-server 2.15.1 {(corpus.StartsOn2_15 ? "starts" : "refuses to start")} with {name}; we said:\n" +
            string.Join('\n', report.Diagnostics) + "\nnats-server said:\n" + string.Join('\n', corpus.StartOutput));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_refusal_names_the_same_line_and_reason(string name)
    {
        var corpus = CorpusCase.Load(name);
        if (corpus.StartsOn2_15 || corpus.Crashes)
            return; // a crash prints no reason to compare with
        // nats-server prints several errors in random order; one of ours must be one of them.
        var expected = corpus.StartOutput.Select(ServerMessage.Parse).OfType<ServerMessage>().ToList();
        var report = Validate(corpus);
        Assert.True(expected.Any(x => report.Errors.Any(e => Matches(e, x))),
            $"nats-server said:\n{string.Join('\n', corpus.StartOutput)}\nwe said:\n{string.Join('\n', report.Diagnostics)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_warning_that_fails_nats_server_t_is_reported_as_a_warning(string name)
    {
        var corpus = CorpusCase.Load(name);
        if (!corpus.StartsOn2_15 || corpus.TestPassesOn2_15)
            return;
        var report = Validate(corpus);
        foreach (var expected in corpus.TestOutput.Select(ServerMessage.Parse).OfType<ServerMessage>())
            Assert.Contains(report.Warnings, w => Matches(w, expected));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Older_targets_warn_about_options_they_refuse(string name)
    {
        var corpus = CorpusCase.Load(name);
        foreach (var (version, target) in new[] { ("2.9.10", NatsServerVersion.V2_9), ("2.10.27", NatsServerVersion.V2_10) })
        {
            // Only files 2.15.1 accepts cleanly, where the older binary's -t refusal is an unknown option.
            if (!corpus.StartsOn2_15 || !corpus.TestPassesOn2_15 || corpus.TestPasses.GetValueOrDefault(version, true))
                continue;
            var report = Validate(corpus, target);
            Assert.True(report.Warnings.Any(w => w.Message.Contains($"nats-server {version} does not know", StringComparison.Ordinal)),
                $"{version} refuses {name}, but --target gave no warning:\n{string.Join('\n', report.Diagnostics)}");
        }
    }

    private static bool Matches(ConfDiagnostic ours, ServerMessage theirs) =>
        ours.Message == theirs.Message && (theirs.Line is null || ours.Location?.Line == theirs.Line);

    private static ConfigReport Validate(CorpusCase corpus, NatsServerVersion target = NatsServerVersion.V2_15) =>
        NatsConfigValidator.ValidateFile(corpus.Path, new ValidationOptions
        {
            Target = target,
            WorkingDirectory = RepoPaths.ConfCorpus,
            Reader = new ConfReaderOptions { Environment = n => corpus.Environment.GetValueOrDefault(n) },
        });
}
