namespace Nats.OrleansRoutes.Config.Conf;

public sealed partial class ConfReader
{
    /// <summary>A map under construction; a repeated key replaces the earlier entry and moves to the end.</summary>
    private sealed class MapBuilder(SourceLocation location)
    {
        private readonly List<ConfEntry> _entries = [];

        public void Set(ConfEntry entry)
        {
            var existing = _entries.FindIndex(e => e.Key == entry.Key);
            if (existing >= 0)
                _entries.RemoveAt(existing);
            _entries.Add(entry);
        }

        /// <summary>Exact-case lookup, as variable references are matched.</summary>
        public bool TryGet(string key, out ConfEntry entry)
        {
            entry = _entries.Find(e => e.Key == key)!;
            return entry is not null;
        }

        public ConfMap Build() => new([.. _entries], location);
    }

    private sealed class ArrayBuilder
    {
        public List<ConfValue> Items { get; } = [];
    }
}
