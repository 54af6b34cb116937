using System.Globalization;
using System.Text;
using Nats.OrleansRoutes.Config.Conf;

namespace Nats.OrleansRoutes.Config.Output;

/// <summary>Writes values read by <see cref="ConfReader"/> back as configuration text that reads back to the same values.</summary>
public static class ConfWriter
{
    public static string WriteEntries(IEnumerable<ConfEntry> entries, string indent = "  ")
    {
        var sb = new StringBuilder();
        foreach (var entry in entries)
            WriteEntry(sb, entry.Key, entry.Value, 0, indent);
        return sb.ToString();
    }

    private static void WriteEntry(StringBuilder sb, string key, ConfValue value, int depth, string indent)
    {
        Indent(sb, depth, indent);
        sb.Append(ClusterBlockWriter.Quote(key));
        if (value is ConfMap map)
        {
            sb.Append(" {\n");
            foreach (var entry in map.Entries)
                WriteEntry(sb, entry.Key, entry.Value, depth + 1, indent);
            Indent(sb, depth, indent);
            sb.Append("}\n");
            return;
        }
        sb.Append(": ");
        WriteValue(sb, value, depth, indent);
        sb.Append('\n');
    }

    private static void WriteValue(StringBuilder sb, ConfValue value, int depth, string indent)
    {
        switch (value)
        {
            case ConfString s:
                sb.Append(ClusterBlockWriter.Quote(s.Value));
                break;
            case ConfInteger i:
                sb.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case ConfFloat f:
                var text = f.Value.ToString("R", CultureInfo.InvariantCulture);
                sb.Append(text.Contains('.', StringComparison.Ordinal) ? text : text + ".0");
                break;
            case ConfBool b:
                sb.Append(b.Value ? "true" : "false");
                break;
            case ConfDateTime d:
                sb.Append(d.ToString());
                break;
            case ConfArray array:
                sb.Append('[');
                for (var n = 0; n < array.Items.Count; n++)
                {
                    if (n > 0)
                        sb.Append(", ");
                    WriteValue(sb, array.Items[n], depth, indent);
                }
                // A space before ']' keeps a trailing number a number (nats-server lexes "1]" as a string).
                sb.Append(" ]");
                break;
            case ConfMap map:
                sb.Append("{\n");
                foreach (var entry in map.Entries)
                    WriteEntry(sb, entry.Key, entry.Value, depth + 1, indent);
                Indent(sb, depth, indent);
                sb.Append('}');
                break;
        }
    }

    private static void Indent(StringBuilder sb, int depth, string indent)
    {
        for (var i = 0; i < depth; i++)
            sb.Append(indent);
    }
}
