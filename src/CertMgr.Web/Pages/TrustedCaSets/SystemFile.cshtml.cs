using CertMgr.Core.TrustedCas;
using CertMgr.Web.ConsoleUi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CertMgr.Web.Pages.TrustedCaSets;

/// <summary>The certificates of one system collection file, searchable (the public roots are ~150).</summary>
[Authorize]
public sealed class SystemFileModel(CertMgr.Core.TrustedCas.TrustedCaSets sets, TimeProvider time) : PageModel
{
    public const string ListId = "system-file-list";

    public string FileName { get; private set; } = "";
    public int Total { get; private set; }
    public int Expired { get; private set; }
    public PagedResult<CaCertificateInfo> Result { get; private set; } = null!;
    public ListView List { get; private set; } = null!;
    public DateTimeOffset Now { get; private set; }

    public IActionResult OnGet(string name, [FromQuery] ListQuery query)
    {
        var read = sets.SystemFileCertificates(name);
        if (!read.IsSuccess)
        {
            return read.Error.Code == "file-unknown" ? NotFound() : Content(read.Error.Message);
        }

        FileName = name;
        Now = time.GetUtcNow();
        Total = read.Value.Count;
        Expired = read.Value.Count(c => c.NotAfter <= Now);
        Result = read.Value.AsQueryable().ToPagedResult(SetRows.CertificateColumns.Normalize(query), SetRows.CertificateColumns);
        List = ListView.For(Request, ListId, Result, SetRows.CertificateColumns);
        return this.PageOrFragment(ListId, "_SystemFileList");
    }
}
