using System.Linq.Expressions;
using CertMgr.Core.TrustedCas;
using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.Pages.TrustedCaSets;

/// <summary>Columns and search of the Trusted CA Sets list and of a system file's certificates (both read in memory: they are small).</summary>
public static class SetRows
{
    public static ListColumns<TrustedCaSetSummary> Columns { get; } = new ListColumns<TrustedCaSetSummary>("name")
        .Sortable("name", r => r.Name)
        .Sortable("files", r => r.SystemFileCount, descendingFirst: true)
        .Sortable("cas", r => r.UserCaCount, descendingFirst: true)
        .Sortable("definitions", r => r.DefinitionCount, descendingFirst: true)
        .Sortable("merged", r => r.MergedAt, descendingFirst: true)
        .UniqueKey(r => r.Id)
        .SearchWith(text => r => r.Name.Contains(text, StringComparison.OrdinalIgnoreCase));

    public static ListColumns<CaCertificateInfo> CertificateColumns { get; } = new ListColumns<CaCertificateInfo>("subject")
        .Sortable("subject", r => r.Subject)
        .Sortable("expiry", r => r.NotAfter)
        .UniqueKey(r => r.Sha256)
        .SearchWith(SearchCertificates);

    private static Expression<Func<CaCertificateInfo, bool>> SearchCertificates(string text)
    {
        var compact = text.Replace(":", "", StringComparison.Ordinal);
        return r => r.Subject.Contains(text, StringComparison.OrdinalIgnoreCase) || r.Sha256.StartsWith(compact, StringComparison.OrdinalIgnoreCase);
    }
}
