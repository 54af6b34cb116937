using Nats.OrleansRoutes.Protocol;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Protocol.Codec;

/// <summary>Every direction of every connection in the fixture transcripts, with the parser settings it needs.</summary>
internal static class TranscriptStreams
{
    public static TheoryData<string, string> All()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Transcript.Files())
        {
            foreach (var marker in Transcript.Load(file).Lines.Keys.Order(StringComparer.Ordinal))
                data.Add(file, marker);
        }
        return data;
    }

    /// <summary>
    /// Pinned when either side's INFO on the connection names a route_account; LS- carries an
    /// origin when both sides announced lnocu; only 2.15.1 limits control lines.
    /// </summary>
    public static RouteParserSettings SettingsFor(Transcript t, string marker)
    {
        var mine = Infos(t, marker);
        var theirs = t.Lines.ContainsKey(Transcript.Peer(marker)) ? Infos(t, Transcript.Peer(marker)) : [];
        var pinned = mine.Concat(theirs).Select(i => i.RouteAccount).FirstOrDefault(a => a is not null);
        var lnocu = mine.Any(i => i.LeafNodeOriginClusterUnsub == true) && theirs.Any(i => i.LeafNodeOriginClusterUnsub == true);
        return new RouteParserSettings
        {
            PinnedAccount = pinned,
            LeafUnsubHasOrigin = lnocu,
            MaxControlLine = t.Version == "2.15.1" ? RouteParserSettings.DefaultMaxControlLine : int.MaxValue / 4,
        };
    }

    private static List<RouteInfo> Infos(Transcript t, string marker) =>
        t.Lines[marker]
            .Where(l => l.StartsWith("INFO ", StringComparison.Ordinal))
            .Select(l => RouteJson.TryParseInfo(System.Text.Encoding.UTF8.GetBytes(l[5..]), out var info, out _) ? info : null)
            .OfType<RouteInfo>()
            .ToList();
}
