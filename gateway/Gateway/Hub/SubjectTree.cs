namespace Nats.OrleansRoutes.Gateway.Hub;

/// <summary>
/// Subscription patterns by token, for matching a published subject as NATS does: <c>*</c>
/// matches exactly one token, <c>&gt;</c> one or more trailing tokens. Each distinct pattern holds
/// one value. Not thread-safe: the hub mutates and reads it under its lock.
/// </summary>
internal sealed class SubjectTree<T> where T : class
{
    private readonly Node _root = new();

    public int Count { get; private set; }

    public void Add(string pattern, T value)
    {
        var node = _root;
        foreach (var token in pattern.Split('.'))
        {
            node = token switch
            {
                "*" => node.Star ??= new Node(),
                ">" => node.Full ??= new Node(),
                _ => node.Children.TryGetValue(token, out var child) ? child : node.Children[token] = new Node(),
            };
        }
        if (node.Value is null)
            Count++;
        node.Value = value;
    }

    public void Remove(string pattern)
    {
        var path = new List<(Node Parent, string Token)>();
        var node = _root;
        foreach (var token in pattern.Split('.'))
        {
            var next = token switch
            {
                "*" => node.Star,
                ">" => node.Full,
                _ => node.Children.GetValueOrDefault(token),
            };
            if (next is null)
                return;
            path.Add((node, token));
            node = next;
        }
        if (node.Value is null)
            return;
        node.Value = null;
        Count--;
        // Prune empty nodes so the tree does not grow with churn.
        for (var i = path.Count - 1; i >= 0; i--)
        {
            var (parent, token) = path[i];
            var child = token switch { "*" => parent.Star, ">" => parent.Full, _ => parent.Children[token] };
            if (child!.Value is not null || child.Children.Count > 0 || child.Star is not null || child.Full is not null)
                break;
            switch (token)
            {
                case "*": parent.Star = null; break;
                case ">": parent.Full = null; break;
                default: parent.Children.Remove(token); break;
            }
        }
    }

    /// <summary>Adds the value of every pattern matching <paramref name="subject"/> to <paramref name="results"/>.</summary>
    public void Match(ReadOnlySpan<char> subject, List<T> results) => Match(_root, subject, results);

    private static void Match(Node node, ReadOnlySpan<char> rest, List<T> results)
    {
        var dot = rest.IndexOf('.');
        var token = dot < 0 ? rest : rest[..dot];
        var remaining = dot < 0 ? default : rest[(dot + 1)..];
        var last = dot < 0;

        // '>' here matches this token and everything after it.
        if (node.Full?.Value is { } full)
            results.Add(full);
        if (node.Star is { } star)
            Visit(star, remaining, last, results);
        if (node.Children.Count > 0 && node.Lookup.TryGetValue(token, out var child))
            Visit(child, remaining, last, results);
    }

    private static void Visit(Node node, ReadOnlySpan<char> remaining, bool last, List<T> results)
    {
        if (last)
        {
            if (node.Value is { } value)
                results.Add(value);
        }
        else
        {
            Match(node, remaining, results);
        }
    }

    private sealed class Node
    {
        public Node() => Lookup = Children.GetAlternateLookup<ReadOnlySpan<char>>();

        public Dictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; }

        public Node? Star { get; set; }

        public Node? Full { get; set; }

        public T? Value { get; set; }
    }
}
