using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CertMgr.Core.Common;
using CertMgr.Core.Pki;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Acme.Client;

/// <summary>A stored ARI answer for one certificate.</summary>
public sealed record StoredRenewalWindow(DateTimeOffset Start, DateTimeOffset End, string? ExplanationUrl, DateTimeOffset FetchedAt);

/// <summary>
/// ACME Renewal Information (RFC 9773): the CA's suggested renewal window per certificate, fetched where the
/// directory offers renewalInfo and kept in the settings table (key <c>acme.ari.{sha256}</c>) so renewal timing can
/// use it: <see cref="SuggestedRenewalStartAsync"/>.
/// </summary>
public sealed class AcmeRenewalWindows(CertMgrDbContext db, SecretProtector protector, TimeProvider time)
{
    public const string KeyPrefix = "acme.ari.";

    /// <summary>Fetches and stores the window of a certificate through an open session; null when the CA has no ARI.</summary>
    public async Task<Result<StoredRenewalWindow?>> RefreshAsync(AcmeSession session, X509Certificate2 certificate, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(certificate);
        if (AcmeClient.RenewalId(certificate) is not { } id)
        {
            return Result<StoredRenewalWindow?>.Success(null);
        }

        var info = await session.Client.RenewalInfoAsync(id, ct);
        if (!info.IsSuccess)
        {
            return info.Error;
        }

        if (info.Value?.SuggestedWindow is not { } window)
        {
            return Result<StoredRenewalWindow?>.Success(null);
        }

        var now = time.GetUtcNow();
        var stored = new StoredRenewalWindow(window.Start, window.End, info.Value.ExplanationUrl?.AbsoluteUri, now);
        var key = KeyPrefix + Thumbprints.Sha256(certificate);
        var row = await db.Settings.SingleOrDefaultAsync(s => s.Key == key, ct);
        if (row is null)
        {
            row = new Setting { Key = key };
            db.Settings.Add(row);
        }

        row.Value = JsonSerializer.Serialize(stored);
        row.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return stored;
    }

    /// <summary>Fetches the window of a definition's current certificate from the ACME CA that issued it.</summary>
    public async Task<Result<StoredRenewalWindow?>> RefreshForDefinitionAsync(Guid definitionId, CancellationToken ct)
    {
        var current = await db.Definitions.Where(d => d.Id == definitionId).Select(d => d.CurrentCertificate).SingleOrDefaultAsync(ct);
        if (current is null)
        {
            return Error.NotFound("no-current-certificate", "The definition has no current certificate.");
        }

        var connection = await db.Requests.Where(r => r.Id == current.RequestId).Select(r => r.Product!.CaConnection).SingleOrDefaultAsync(ct);
        if (connection is null || connection.Kind != CaConnectionKind.Acme)
        {
            return Result<StoredRenewalWindow?>.Success(null);
        }

        var opened = AcmeSession.Open(connection, protector, time);
        if (!opened.IsSuccess)
        {
            return opened.Error;
        }

        using var session = opened.Value;
        var account = await session.EnsureAccountAsync(false, time, ct);
        if (!account.IsSuccess)
        {
            return account.Error;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(current.Der);
        return await RefreshAsync(session, certificate, ct);
    }

    /// <summary>The stored window of a certificate (by SHA-256), or null.</summary>
    public async Task<StoredRenewalWindow?> WindowAsync(string sha256, CancellationToken ct)
    {
        var key = KeyPrefix + sha256;
        var value = await db.Settings.AsNoTracking().Where(s => s.Key == key).Select(s => s.Value).SingleOrDefaultAsync(ct);
        return value is null ? null : JsonSerializer.Deserialize<StoredRenewalWindow>(value);
    }

    /// <summary>
    /// When renewal of the definition's current certificate should start by the CA's suggestion: the start of the
    /// stored ARI window, or null when the CA gave none (then the definition's lead time decides).
    /// </summary>
    public async Task<DateTimeOffset?> SuggestedRenewalStartAsync(CertificateDefinition definition, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var sha256 = await db.Certificates.AsNoTracking().Where(c => c.Id == definition.CurrentCertificateId).Select(c => c.Sha256).SingleOrDefaultAsync(ct);
        return sha256 is null ? null : (await WindowAsync(sha256, ct))?.Start;
    }

    /// <summary>
    /// The suggested renewal start of every certificate with a stored window, by certificate id (for a pass over many
    /// definitions at once).
    /// </summary>
    public async Task<Dictionary<Guid, DateTimeOffset>> SuggestedStartsAsync(CancellationToken ct)
    {
        var rows = await db.Settings.AsNoTracking().Where(s => s.Key.StartsWith(KeyPrefix)).Select(s => new { s.Key, s.Value }).ToListAsync(ct);
        if (rows.Count == 0)
        {
            return [];
        }

        var starts = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.Value is { } value && JsonSerializer.Deserialize<StoredRenewalWindow>(value) is { } window)
            {
                starts[row.Key[KeyPrefix.Length..]] = window.Start;
            }
        }

        var hashes = starts.Keys.ToList();
        var certificates = await db.Certificates.AsNoTracking().Where(c => c.Source == CertificateSource.Acme && hashes.Contains(c.Sha256))
            .Select(c => new { c.Id, c.Sha256 }).ToListAsync(ct);
        return certificates.ToDictionary(c => c.Id, c => starts[c.Sha256]);
    }

    /// <summary>
    /// The renewal decision (pure): a certificate is due when there is none, or, where its CA gave an ARI window, once
    /// the window has begun (the CA's advice replaces the lead time, also when it asks for an early renewal, e.g. after
    /// a revocation), else when it expires within the renewal lead time.
    /// </summary>
    public static bool IsDue(bool hasCurrent, DateTimeOffset? notAfter, int renewalLeadDays, DateTimeOffset? suggestedStart, DateTimeOffset now) =>
        !hasCurrent || notAfter is null || (suggestedStart is { } start ? start <= now : notAfter.Value <= now.AddDays(renewalLeadDays));

    internal static string Describe(StoredRenewalWindow window) =>
        string.Create(CultureInfo.InvariantCulture, $"ARI window {window.Start:yyyy-MM-dd HH:mm} – {window.End:yyyy-MM-dd HH:mm} UTC");
}
