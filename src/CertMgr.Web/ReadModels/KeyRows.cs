using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.ReadModels;

/// <summary>One line of the Private Keys list (console and API): never key material, only facts about the key.</summary>
public sealed class KeyRow
{
    public Guid Id { get; init; }
    public string? Name { get; init; }
    public KeyAlgorithm Algorithm { get; init; }
    public int KeySize { get; init; }
    public PrivateKeySource Source { get; init; }
    public required string PublicKeySha256 { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public int CertificateCount { get; init; }
    public int RequestCount { get; init; }

    /// <summary>The common name of the newest certificate with this key, if any.</summary>
    public string? UsedBy { get; init; }
    public Guid? UsedByDefinitionId { get; init; }
}

/// <summary>The Private Keys list's projection, columns and search; shared by the console and the API.</summary>
public static class KeyRows
{
    public static ListColumns<KeyRow> Columns { get; } = new ListColumns<KeyRow>("created")
        .Sortable("created", r => r.CreatedAt, descendingFirst: true)
        .Sortable("algorithm", r => r.Algorithm)
        .Sortable("size", r => r.KeySize)
        .Sortable("source", r => r.Source)
        .UniqueKey(r => r.Id)
        .SearchWith(Search);

    public static IQueryable<KeyRow> Rows(CertMgrDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        // The private CA's own keys are not inventory keys: they are managed (and never exported) on the Private CA screen.
        return db.PrivateKeys.Where(k => !db.PrivateCas.Any(ca => ca.PrivateKeyId == k.Id)).Select(k => new KeyRow
        {
            Id = k.Id,
            Name = k.Name,
            Algorithm = k.Algorithm,
            KeySize = k.KeySize,
            Source = k.Source,
            PublicKeySha256 = k.PublicKeySha256,
            CreatedAt = k.CreatedAt,
            CertificateCount = db.Certificates.Count(c => c.PrivateKeyId == k.Id),
            RequestCount = k.Requests.Count,
            UsedBy = db.Certificates.Where(c => c.PrivateKeyId == k.Id).OrderByDescending(c => c.NotAfter).Select(c => c.CommonName).FirstOrDefault(),
            UsedByDefinitionId = db.Certificates.Where(c => c.PrivateKeyId == k.Id).OrderByDescending(c => c.NotAfter).Select(c => (Guid?)c.DefinitionId).FirstOrDefault(),
        });
    }

    /// <summary>A hex prefix of the public-key hash (an index range), or a name substring.</summary>
    [SuppressMessage("Performance", "CA1862", Justification = "Translated to SQL, where Contains(string, StringComparison) has no translation.")]
    public static Expression<Func<KeyRow, bool>> Search(string text)
    {
        var compact = text.Replace(":", "", StringComparison.Ordinal);
        if (compact.Length >= 6 && compact.All(char.IsAsciiHexDigit))
        {
            var low = compact.ToUpperInvariant();
            var high = low + "G";
            return r => string.Compare(r.PublicKeySha256, low) >= 0 && string.Compare(r.PublicKeySha256, high) < 0;
        }

        var t = text.ToLowerInvariant();
        return r => r.Name != null && r.Name.ToLower().Contains(t);
    }
}
