namespace Nats.OrleansRoutes.Protocol;

/// <summary>
/// The fields of a control line's arguments, split on spaces, tabs, CR and LF as nats-server
/// splits them, without allocating: the first <see cref="LeadCapacity"/> fields and the last
/// three are remembered, which is all any route op needs (queue lists in the middle of a
/// message line are kept as one region).
/// </summary>
internal ref struct ArgumentFields
{
    public const int LeadCapacity = 6;

    private readonly ReadOnlySpan<byte> _args;
    private Lead _lead;
    private Range _last0; // last field
    private Range _last1; // second to last
    private Range _last2; // third to last

    public ArgumentFields(ReadOnlySpan<byte> args)
    {
        _args = args;
        var start = -1;
        for (var i = 0; i <= args.Length; i++)
        {
            var separator = i == args.Length || Ascii.IsSeparator(args[i]);
            if (!separator)
            {
                if (start < 0)
                    start = i;
                continue;
            }
            if (start < 0)
                continue;
            Add(new Range(start, i));
            start = -1;
        }
    }

    /// <summary>Number of fields.</summary>
    public int Count { get; private set; }

    /// <summary>Field <paramref name="index"/> counted from the start (must be &lt; <see cref="LeadCapacity"/>).</summary>
    public readonly ReadOnlySpan<byte> this[int index] => _args[_lead[index]];

    /// <summary>Field counted from the end: 1 is the last field.</summary>
    public readonly ReadOnlySpan<byte> FromEnd(int n) => _args[RangeFromEnd(n)];

    /// <summary>
    /// The raw bytes from the start of field <paramref name="first"/> to the end of the field
    /// <paramref name="lastFromEnd"/> positions from the end; empty when that range holds no field.
    /// </summary>
    public readonly ReadOnlySpan<byte> Region(int first, int lastFromEnd, out int fields)
    {
        fields = Count - lastFromEnd - first + 1;
        if (fields <= 0)
        {
            fields = 0;
            return [];
        }
        var start = _lead[first].Start.Value;
        var end = RangeFromEnd(lastFromEnd).End.Value;
        return _args[start..end];
    }

    private readonly Range RangeFromEnd(int n) => n switch
    {
        1 => _last0,
        2 => _last1,
        3 => _last2,
        _ => throw new ArgumentOutOfRangeException(nameof(n)),
    };

    private void Add(Range field)
    {
        if (Count < LeadCapacity)
            _lead[Count] = field;
        _last2 = _last1;
        _last1 = _last0;
        _last0 = field;
        Count++;
    }

    [System.Runtime.CompilerServices.InlineArray(LeadCapacity)]
    private struct Lead
    {
        private Range _element;
    }
}
