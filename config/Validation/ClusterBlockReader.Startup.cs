using Nats.OrleansRoutes.Config.Cluster;
using Nats.OrleansRoutes.Config.Go;

namespace Nats.OrleansRoutes.Config.Validation;

internal sealed partial class ClusterBlockReader
{
    /// <summary>
    /// The checks nats-server makes only when it starts (<c>nats-server -t</c> does not): the
    /// compression mode, pinned accounts against pool_size, duplicates in the pinned list (which
    /// then includes the automatically pinned system account).
    /// </summary>
    public void CheckAtStartup(ServerContext server)
    {
        NormalizeCompression(out var compressionError);
        if (compressionError is not null)
        {
            findings.StartupError(compressionError);
            return;
        }
        if (_pinned.Count > 0 && _poolSize < 0)
        {
            findings.StartupError("pool_size cannot be negative if pinned accounts are specified");
            return;
        }
        var effective = new List<string>(_pinned);
        if (Listening && _poolSize >= 0 && !server.NoSystemAccount && !effective.Contains(server.SystemAccount))
            effective.Add(server.SystemAccount);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var account in effective)
        {
            if (!seen.Add(account))
            {
                findings.StartupError($"found duplicate account name {GoQuote.Quote(account)} in pinned accounts list {GoQuote.QuoteList(effective)}");
                return;
            }
        }
    }
}
