namespace Nats.OrleansRoutes.Config.Conf;

/// <summary>Path joining as Go's filepath.Join does it, so included files are named as nats-server names them.</summary>
internal static class GoPath
{
    public static string Join(string directory, string path) => Clean(directory + "/" + path);

    /// <summary>Lexical clean-up: drops "." segments and empty segments, resolves "..".</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
            return ".";
        var rooted = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
                continue;
            if (part == ".." && parts.Count > 0 && parts[^1] != "..")
                parts.RemoveAt(parts.Count - 1);
            else if (part != ".." || !rooted)
                parts.Add(part);
        }
        var joined = string.Join('/', parts);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }
}
