namespace Nats.OrleansRoutes.Protocol;

/// <summary>
/// The queue-group names of a message, kept as the raw wire region (names separated by one or
/// more spaces or tabs) so that parsing allocates nothing. Enumerate with <c>foreach</c>.
/// </summary>
public readonly ref struct QueueNames
{
    public QueueNames(ReadOnlySpan<byte> region, int count)
    {
        Region = region;
        Count = count;
    }

    /// <summary>The names as they appeared on the wire.</summary>
    public ReadOnlySpan<byte> Region { get; }

    public int Count { get; }

    public bool IsEmpty => Count == 0;

    public Enumerator GetEnumerator() => new(Region);

    /// <summary>Splits <see cref="Region"/> on spaces and tabs.</summary>
    public ref struct Enumerator
    {
        private ReadOnlySpan<byte> _rest;

        internal Enumerator(ReadOnlySpan<byte> region)
        {
            _rest = region;
            Current = default;
        }

        public ReadOnlySpan<byte> Current { get; private set; }

        public bool MoveNext()
        {
            var start = 0;
            while (start < _rest.Length && Ascii.IsSeparator(_rest[start]))
                start++;
            if (start == _rest.Length)
                return false;
            var end = start;
            while (end < _rest.Length && !Ascii.IsSeparator(_rest[end]))
                end++;
            Current = _rest[start..end];
            _rest = _rest[end..];
            return true;
        }
    }
}
