using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Nats.OrleansRoutes.Gateway.Routes;

/// <summary>
/// The names a peer certificate can be mapped by (<c>verify_and_map</c>), in the order nats-server
/// tries them: e-mail SANs, DNS SANs, URI SANs, then the subject as Go prints it
/// (<c>CN=route-user,O=Acme</c>: the known attributes in Go's fixed order, most specific first).
/// </summary>
internal static class CertificateIdentity
{
    private const string SubjectAltName = "2.5.29.17";

    /// <summary>Go's order of the subject attributes it knows (pkix.Name.ToRDNSequence), before it reverses them.</summary>
    private static readonly (string Oid, string Name)[] SubjectOrder =
    [
        ("2.5.4.6", "C"), ("2.5.4.8", "ST"), ("2.5.4.7", "L"), ("2.5.4.9", "STREET"), ("2.5.4.17", "POSTALCODE"),
        ("2.5.4.10", "O"), ("2.5.4.11", "OU"), ("2.5.4.3", "CN"), ("2.5.4.5", "SERIALNUMBER"),
    ];

    public static IReadOnlyList<string> Of(X509Certificate2 certificate)
    {
        var emails = new List<string>();
        var dns = new List<string>();
        var uris = new List<string>();
        if (certificate.Extensions[SubjectAltName] is { } san)
            ReadAltNames(san.RawData, emails, dns, uris);
        var identities = new List<string>(emails.Count + dns.Count + uris.Count + 1);
        identities.AddRange(emails);
        identities.AddRange(dns);
        identities.AddRange(uris);
        if (Subject(certificate.SubjectName) is { Length: > 0 } subject)
            identities.Add(subject);
        return identities;
    }

    private static void ReadAltNames(byte[] der, List<string> emails, List<string> dns, List<string> uris)
    {
        try
        {
            var names = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            while (names.HasData)
            {
                var tag = names.PeekTag();
                var list = tag.TagClass != TagClass.ContextSpecific ? null : tag.TagValue switch { 1 => emails, 2 => dns, 6 => uris, _ => null };
                if (list is null)
                    names.ReadEncodedValue();
                else
                    list.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, tag));
            }
        }
        catch (AsnContentException)
        {
            // A malformed SAN maps to nothing; the subject is still tried.
        }
    }

    /// <summary>The subject as Go's <c>RDNSequence.String()</c> prints <c>cert.Subject.ToRDNSequence()</c>.</summary>
    internal static string Subject(X500DistinguishedName name)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames(reversed: false))
        {
            if (rdn.HasMultipleElements || rdn.GetSingleElementValue() is not { } value)
                continue;
            var oid = rdn.GetSingleElementType().Value ?? "";
            if (!values.TryGetValue(oid, out var list))
                values[oid] = list = [];
            list.Add(value);
        }
        var rdns = new List<string>();
        foreach (var (oid, shortName) in SubjectOrder)
        {
            if (!values.TryGetValue(oid, out var list))
                continue;
            // Go keeps one common name and one serial number (the last), every value of the others.
            var kept = oid is "2.5.4.3" or "2.5.4.5" ? [list[^1]] : list;
            rdns.Add(string.Join("+", kept.Select(v => shortName + "=" + Escape(v))));
        }
        rdns.Reverse();
        return string.Join(",", rdns);
    }

    private static string Escape(string value)
    {
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var escape = c switch
            {
                ',' or '+' or '"' or '\\' or '<' or '>' or ';' => true,
                ' ' => i == 0 || i == value.Length - 1,
                '#' => i == 0,
                _ => false,
            };
            if (escape)
                text.Append('\\');
            text.Append(c);
        }
        return text.ToString();
    }
}
