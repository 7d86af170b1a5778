using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Notifications;

/// <summary>
/// Signed, time-limited download links for install packages: <c>/package/{deploymentId}?expires={unix}&amp;sig={mac}</c>,
/// the MAC being HMAC-SHA256 over the deployment id and the expiry under a 256-bit server secret that is created at
/// first use and kept sealed (<see cref="SecretProtector"/>) in the <c>notifications.package-link.key</c> setting. The
/// package itself stays encrypted under its password; the link only saves the server admin a console account.
/// </summary>
public sealed class InstallPackageLinks(CertMgrDbContext db, SecretProtector protector, TimeProvider time)
{
    internal const string KeySetting = "notifications.package-link.key";
    public const string PathPrefix = "/package/";

    /// <summary>A link to the deployment's package valid until <paramref name="expires"/> (to the second), on <paramref name="consoleBase"/>.</summary>
    public async Task<Uri> CreateAsync(Guid deploymentId, DateTimeOffset expires, Uri consoleBase, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(consoleBase);
        var key = await KeyAsync(create: true, ct);
        var unix = expires.ToUnixTimeSeconds();
        var sig = Sign(key!, deploymentId, unix);
        return new Uri(WithSlash(consoleBase), $"{PathPrefix[1..]}{deploymentId}?expires={unix.ToString(CultureInfo.InvariantCulture)}&sig={sig}");
    }

    /// <summary>The base with a closing slash, so that relative links keep a reverse proxy's path (<c>https://host/certmgr/</c>).</summary>
    internal static Uri WithSlash(Uri consoleBase) =>
        consoleBase.AbsoluteUri.EndsWith('/') ? consoleBase : new Uri(consoleBase.AbsoluteUri + "/");

    /// <summary>Whether a link is genuine and not expired; a refusal is Forbidden with the reason (expired, or not a valid link).</summary>
    public async Task<Result<Guid>> VerifyAsync(Guid deploymentId, string? expires, string? sig, CancellationToken ct)
    {
        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var unix) || string.IsNullOrEmpty(sig) || sig.Length > 100)
        {
            return Refused();
        }

        var key = await KeyAsync(create: false, ct);
        if (key is null)
        {
            return Refused();
        }

        var expected = Encoding.ASCII.GetBytes(Sign(key, deploymentId, unix));
        var given = Encoding.ASCII.GetBytes(sig);
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return Refused();
        }

        if (time.GetUtcNow().ToUnixTimeSeconds() >= unix)
        {
            return Error.Forbidden("package-link-expired",
                $"This download link expired on {DateTimeOffset.FromUnixTimeSeconds(unix).UtcDateTime:yyyy-MM-dd HH:mm} UTC. Ask the CertMgr administrator for a new install request email or the package.");
        }

        return deploymentId;
    }

    private static Error Refused() =>
        Error.Forbidden("package-link-invalid", "This download link is not valid (it was changed or is incomplete). Use the link exactly as it is in the email.");

    private static string Sign(byte[] key, Guid deploymentId, long unix)
    {
        var mac = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"install-package|{deploymentId:N}|{unix.ToString(CultureInfo.InvariantCulture)}"));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private async Task<byte[]?> KeyAsync(bool create, CancellationToken ct)
    {
        var row = db.Settings.Local.FirstOrDefault(s => s.Key == KeySetting)
            ?? await db.Settings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == KeySetting, ct);
        if (row?.ProtectedValue is { } sealedKey)
        {
            return protector.Unprotect(sealedKey, SecretPurposes.Setting);
        }

        if (!create)
        {
            return null;
        }

        // Added to the caller's unit of work: the key is stored exactly when the email carrying the first link is.
        var key = RandomNumberGenerator.GetBytes(32);
        db.Settings.Add(new Setting { Key = KeySetting, ProtectedValue = protector.Protect(key, SecretPurposes.Setting), UpdatedAt = time.GetUtcNow() });
        return key;
    }
}
