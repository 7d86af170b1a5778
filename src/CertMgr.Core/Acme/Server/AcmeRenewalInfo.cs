using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using CertMgr.Core.Acme.Client;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Acme.Server;

/// <summary>
/// ACME Renewal Information (RFC 9773) for certificates the built-in CA issued: <c>GET /acme/renewal-info/{certID}</c>
/// (certID = base64url(authority key id) "." base64url(serial)) answers a suggested window in the last third of the
/// certificate's lifetime (from two thirds to five sixths of it), or a window that has already begun for a revoked
/// one. Unauthenticated, as the RFC says; an unknown or malformed id is a problem document.
/// </summary>
public sealed class AcmeRenewalInfo(CertMgrDbContext db, AcmeServerSettings settings, TimeProvider time)
{
    public async Task<Result<AcmeReply>> GetAsync(string certId, CancellationToken ct)
    {
        if (!(await settings.EffectiveAsync(ct)).Enabled)
        {
            return AcmeProblems.NotFound("The ACME server is not enabled.");
        }

        var id = ParseCertId(certId);
        if (!id.IsSuccess)
        {
            return id.Error;
        }

        var serialHex = id.Value.SerialHex;
        var issued = await db.IssuedCertificates.AsNoTracking()
            .Where(c => c.SerialNumber == serialHex && c.Der != null)
            .Select(c => new { c.Der, c.NotBefore, c.NotAfter, c.Status })
            .FirstOrDefaultAsync(ct);
        if (issued is null || !SameAuthority(issued.Der!, id.Value.KeyId))
        {
            return AcmeProblems.NotFound("This server issued no certificate with that certID.");
        }

        var (start, end) = issued.Status == IssuedCertificateStatus.Revoked
            ? (time.GetUtcNow().AddDays(-1), time.GetUtcNow())
            : Window(issued.NotBefore, issued.NotAfter);
        var body = new JsonObject
        {
            ["suggestedWindow"] = new JsonObject { ["start"] = Format(start), ["end"] = Format(end) },
        };
        return new AcmeReply(200, body);
    }

    /// <summary>A certID (base64url(authority key identifier) "." base64url(serial)), or a malformed problem.</summary>
    internal static Result<(byte[] KeyId, string SerialHex)> ParseCertId(string? certId)
    {
        var parts = (certId ?? "").Split('.');
        if (parts.Length != 2 || parts[0].Length is 0 or > 200 || parts[1].Length is 0 or > 100)
        {
            return AcmeProblems.Malformed("The certID must be base64url(authority key identifier) \".\" base64url(serial number).");
        }

        try
        {
            return (Base64Url.Decode(parts[0]), Convert.ToHexString(Base64Url.Decode(parts[1])));
        }
        catch (FormatException)
        {
            return AcmeProblems.Malformed("The certID is not base64url text.");
        }
    }

    /// <summary>The suggested window of a certificate valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Window(DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var lifetime = notAfter - notBefore;
        return (notBefore + (lifetime * 2 / 3), notBefore + (lifetime * 5 / 6));
    }

    internal static bool SameAuthority(byte[] der, byte[] keyId)
    {
        using var certificate = X509CertificateLoader.LoadCertificate(der);
        var aki = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier;
        return aki is { } id && id.Span.SequenceEqual(keyId);
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
