using System.Linq.Expressions;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.ReadModels;

/// <summary>One line of the Certificates list (console and API), projected in SQL.</summary>
public sealed class CertificateRow
{
    public Guid Id { get; init; }
    public Guid DefinitionId { get; init; }
    public required string DefinitionName { get; init; }
    public string? CommonName { get; init; }
    public required string Subject { get; init; }
    public required string Issuer { get; init; }

    /// <summary>The stored search text (subject, issuer, SANs; lower-case), for the search predicate.</summary>
    public string SearchText { get; init; } = "";
    public required string SerialNumber { get; init; }
    public required string Sha1 { get; init; }
    public required string Sha256 { get; init; }
    public DateTimeOffset NotBefore { get; init; }
    public DateTimeOffset NotAfter { get; init; }
    public KeyAlgorithm KeyAlgorithm { get; init; }
    public int KeySize { get; init; }
    public CertificateSource Source { get; init; }
    public bool HasPrivateKey { get; init; }
    public bool IsCurrent { get; init; }
    public List<string> SubjectAlternativeNames { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>The Certificates list's projection, columns, search and filters; shared by the console and the API.</summary>
public static class CertificateRows
{
    public static ListColumns<CertificateRow> Columns { get; } = new ListColumns<CertificateRow>("expiry")
        .Sortable("name", r => r.CommonName)
        .Sortable("definition", r => r.DefinitionName)
        .Sortable("issuer", r => r.Issuer)
        .Sortable("expiry", r => r.NotAfter)
        .Sortable("created", r => r.CreatedAt, descendingFirst: true)
        .UniqueKey(r => r.Id)
        .SearchWith(Search);

    public static ListFilter ExpiryFilter { get; } = new("expiry", "Validity",
    [
        new(null, "Any validity"),
        new(Windows.Expired, "Expired"),
        new(Windows.Within30, "Expires within 30 days"),
        new(Windows.Within90, "Expires within 90 days"),
        new(Windows.Valid, "Valid"),
    ]);

    public static ListFilter CurrentFilter { get; } = new("current", "Current",
    [
        new(null, "Current and previous"),
        new("current", "Current certificates only"),
    ]);

    public static IQueryable<CertificateRow> Rows(CertMgrDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Certificates.Select(c => new CertificateRow
        {
            Id = c.Id,
            DefinitionId = c.DefinitionId,
            DefinitionName = c.Definition.Name,
            CommonName = c.CommonName,
            Subject = c.Subject,
            Issuer = c.Issuer,
            SearchText = c.SearchText,
            SerialNumber = c.SerialNumber,
            Sha1 = c.Sha1,
            Sha256 = c.Sha256,
            NotBefore = c.NotBefore,
            NotAfter = c.NotAfter,
            KeyAlgorithm = c.KeyAlgorithm,
            KeySize = c.KeySize,
            Source = c.Source,
            HasPrivateKey = c.PrivateKeyId != null,
            IsCurrent = c.Definition.CurrentCertificateId == c.Id,
            SubjectAlternativeNames = c.SubjectAlternativeNames,
            CreatedAt = c.CreatedAt,
        });
    }

    /// <summary>The canonical expiry filter value, or null for none/unknown.</summary>
    public static string? NormalizeExpiry(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
            : ExpiryFilter.Options.FirstOrDefault(o => string.Equals(o.Value, value.Trim(), StringComparison.OrdinalIgnoreCase))?.Value;

    public static IQueryable<CertificateRow> WhereExpiry(this IQueryable<CertificateRow> rows, string? window, DateTimeOffset now) => window switch
    {
        Windows.Expired => rows.Where(r => r.NotAfter <= now),
        Windows.Within30 => rows.Where(r => r.NotAfter > now && r.NotAfter <= now.AddDays(30)),
        Windows.Within90 => rows.Where(r => r.NotAfter > now && r.NotAfter <= now.AddDays(90)),
        Windows.Valid => rows.Where(r => r.NotAfter > now && r.NotBefore <= now),
        _ => rows,
    };

    /// <summary>
    /// Search: a hex thumbprint or serial prefix (6+ hex digits) is an index range on the thumbprints and serials; any
    /// other text is a substring of the certificate's stored search text (subject, issuer, SANs), case-insensitively.
    /// </summary>
    public static Expression<Func<CertificateRow, bool>> Search(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var compact = text.Trim().Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (compact.Length >= 6 && compact.All(char.IsAsciiHexDigit))
        {
            // [hex, hex + "G"): every upper-case hex string with that prefix, as a range an index can seek.
            var low = compact.ToUpperInvariant();
            var high = low + "G";
            return r => (string.Compare(r.Sha1, low) >= 0 && string.Compare(r.Sha1, high) < 0)
                || (string.Compare(r.Sha256, low) >= 0 && string.Compare(r.Sha256, high) < 0)
                || (string.Compare(r.SerialNumber, low) >= 0 && string.Compare(r.SerialNumber, high) < 0);
        }

        var t = SearchTexts.Term(text);
        return r => r.SearchText.Contains(t);
    }

    public static class Windows
    {
        public const string Expired = "expired";
        public const string Within30 = "30d";
        public const string Within90 = "90d";
        public const string Valid = "valid";
    }
}
