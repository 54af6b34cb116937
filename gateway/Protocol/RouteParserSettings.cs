using System.Text;

namespace Nats.OrleansRoutes.Protocol;

/// <summary>
/// What the parser must know about one connection. The account field is absent on a pinned
/// (dedicated) connection, and <c>LS-</c> carries an origin only when the peer announced
/// <c>lnocu</c>; both become known during the handshake, so the connection updates them.
/// </summary>
public sealed record RouteParserSettings
{
    /// <summary>16 × the default max_control_line, the limit 2.11.17+ servers apply to routes.</summary>
    public const int DefaultMaxControlLine = 16 * 4096;

    /// <summary>Default bound on one message payload; routes do not enforce max_payload, so this only caps memory.</summary>
    public const int DefaultMaxPayload = 64 * 1024 * 1024;

    public static RouteParserSettings Default { get; } = new();

    /// <summary>Longest control line accepted (bytes before CR LF, verb included).</summary>
    public int MaxControlLine { get; init; } = DefaultMaxControlLine;

    /// <summary>Largest RMSG/HMSG/LMSG payload accepted.</summary>
    public int MaxPayload { get; init; } = DefaultMaxPayload;

    /// <summary>Set on a pinned connection: ops carry no account field and belong to this account.</summary>
    public string? PinnedAccount
    {
        get => _pinnedAccount;
        init
        {
            _pinnedAccount = value;
            PinnedAccountUtf8 = value is null ? null : Encoding.UTF8.GetBytes(value);
        }
    }

    /// <summary>The peer announced <c>lnocu</c>: its <c>LS-</c> lines start with the origin.</summary>
    public bool LeafUnsubHasOrigin { get; init; }

    internal byte[]? PinnedAccountUtf8 { get; private init; }

    private readonly string? _pinnedAccount;
}
