using System.Text;
using CertMgr.Core.Common;

namespace CertMgr.Core.Pki.Reading;

/// <summary>One <c>-----BEGIN X-----</c> block: its label, RFC 1421 headers (Proc-Type, DEK-Info) and decoded bytes.</summary>
internal sealed record PemBlock(string Label, IReadOnlyDictionary<string, string> Headers, byte[] Data);

/// <summary>
/// A lenient PEM scanner: any number of blocks, LF or CRLF, a UTF-8 BOM, text before, between and after blocks, and
/// the RFC 1421 headers of traditional encrypted keys (which <see cref="System.Security.Cryptography.PemEncoding"/>
/// does not accept).
/// </summary>
internal static class PemBlocks
{
    private const string Begin = "-----BEGIN ";
    private const string Dashes = "-----";

    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    public static bool LooksLikePem(ReadOnlySpan<byte> data) => data.IndexOf("-----BEGIN "u8) >= 0;

    public static Result<List<PemBlock>> Parse(ReadOnlySpan<byte> data)
    {
        var text = Encoding.UTF8.GetString(data.StartsWith(Encoding.UTF8.Preamble) ? data[3..] : data);
        var blocks = new List<PemBlock>();
        var position = 0;
        while (true)
        {
            var start = text.IndexOf(Begin, position, StringComparison.Ordinal);
            if (start < 0)
            {
                break;
            }

            var labelStart = start + Begin.Length;
            var labelEnd = text.IndexOf(Dashes, labelStart, StringComparison.Ordinal);
            var lineEnd = text.IndexOf('\n', labelStart);
            if (labelEnd < 0 || (lineEnd >= 0 && labelEnd > lineEnd))
            {
                return ReadErrors.Malformed("A PEM BEGIN line is malformed.");
            }

            var label = text[labelStart..labelEnd];
            var bodyStart = labelEnd + Dashes.Length;
            var endMarker = $"-----END {label}-----";
            var end = text.IndexOf(endMarker, bodyStart, StringComparison.Ordinal);
            if (end < 0)
            {
                return ReadErrors.Malformed($"The PEM block '{label}' has no END line: the file is truncated or malformed.");
            }

            var block = ParseBody(label, text.AsSpan(bodyStart, end - bodyStart));
            if (!block.IsSuccess)
            {
                return block.Error;
            }

            blocks.Add(block.Value);
            position = end + endMarker.Length;
        }

        return blocks.Count == 0 ? ReadErrors.Malformed("The PEM data has no complete block.") : blocks;
    }

    private static Result<PemBlock> ParseBody(string label, ReadOnlySpan<char> body)
    {
        var headers = NoHeaders;
        var base64 = new StringBuilder(body.Length);
        var inHeaders = true;
        foreach (var rawLine in body.EnumerateLines())
        {
            var line = rawLine.Trim();
            if (inHeaders)
            {
                var colon = line.IndexOf(':');
                if (colon > 0)
                {
                    if (headers == NoHeaders)
                    {
                        headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    }

                    ((Dictionary<string, string>)headers)[line[..colon].Trim().ToString()] = line[(colon + 1)..].Trim().ToString();
                    continue;
                }

                if (line.IsEmpty)
                {
                    continue;
                }

                inHeaders = false;
            }

            base64.Append(line);
        }

        var encoded = base64.ToString();
        var buffer = new byte[encoded.Length / 4 * 3 + 3];
        if (encoded.Length == 0 || !Convert.TryFromBase64String(encoded, buffer, out var written))
        {
            return ReadErrors.Malformed($"The PEM block '{label}' is not valid base64: the file is truncated or malformed.");
        }

        return new PemBlock(label, headers, buffer[..written]);
    }
}
