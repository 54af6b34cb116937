using System.Globalization;
using System.Text;
using Nats.OrleansRoutes.TestKit;

namespace Nats.OrleansRoutes.Tests.Protocol.Compression;

/// <summary>The byte-exact S2 vectors of <c>s2_test_vectors.txt</c>: wire bytes and what they decode to.</summary>
public sealed record S2Vector(string Name, byte[] Wire, byte[] Decoded)
{
    public static IReadOnlyList<S2Vector> All { get; } = Load();

    public override string ToString() => Name;

    private static List<S2Vector> Load()
    {
        var vectors = new List<S2Vector>();
        string? name = null;
        byte[]? wire = null;
        foreach (var line in File.ReadLines(Path.Combine(RepoPaths.Transcripts, "s2_test_vectors.txt")))
        {
            if (line.Length > 1 && line[0] == 'V' && char.IsAsciiDigit(line[1]))
                name = line.Split(' ')[0];
            else if (line.StartsWith("hex: ", StringComparison.Ordinal))
                wire = [.. line[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => byte.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
            else if (line.StartsWith("decoded (", StringComparison.Ordinal) && name is not null && wire is not null)
            {
                var text = line[(line.IndexOf("): ", StringComparison.Ordinal) + 3)..].Replace("\\r\\n", "\r\n", StringComparison.Ordinal);
                vectors.Add(new S2Vector(name, wire, Encoding.UTF8.GetBytes(text)));
                name = null;
                wire = null;
            }
        }
        return vectors;
    }
}
