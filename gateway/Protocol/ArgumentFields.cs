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

    private static readonly System.Buffers.SearchValues<byte> Separators = System.Buffers.SearchValues.Create(" \t\r\n"u8);

    public ArgumentFields(ReadOnlySpan<byte> args)
    {
        _args = args;
        var i = 0;
        while (true)
        {
            while (i < args.Length && Ascii.IsSeparator(args[i]))
                i++;
            if (i >= args.Length)
                return;
            // Fields are mostly one separator apart; subjects can be long, so the end is searched vectorized.
            var length = args[i..].IndexOfAny(Separators);
            var end = length < 0 ? args.Length : i + length;
            Add(new Range(i, end));
            i = end;
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
