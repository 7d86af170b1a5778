using System.Reflection;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Observability;

/// <summary>
/// The figures behind <c>/metrics</c>, read from the database at scrape time. Cardinality is bounded by the inventory:
/// one expiry series per definition's current certificate (never the history), one monitor series per monitored
/// definition; nothing secret is a label (names, ids, serials and thumbprints only).
/// </summary>
internal sealed class CertMgrMetrics(CertMgrDbContext db)
{
    private static readonly RequestStatus[] OpenRequestStates = [.. Enum.GetValues<RequestStatus>().Where(s => s is not (RequestStatus.Completed or RequestStatus.Cancelled))];

    public async Task<string> RenderAsync(CancellationToken ct)
    {
        var text = new PrometheusText();
        var version = typeof(CertMgrMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        text.Family("certmgr_build_info", "gauge", "CertMgr build; the value is always 1.")
            .Sample("certmgr_build_info", 1, ("version", version), ("runtime", Environment.Version.ToString()));

        var current = await db.Definitions.AsNoTracking()
            .Where(d => d.CurrentCertificateId != null)
            .OrderBy(d => d.Id)
            .Select(d => new { d.Id, d.Name, d.CurrentCertificate!.SerialNumber, d.CurrentCertificate.Sha1, d.CurrentCertificate.NotAfter })
            .ToListAsync(ct);
        text.Family("certmgr_certificate_expiry_timestamp_seconds", "gauge", "NotAfter of each definition's current certificate, as Unix time.");
        foreach (var c in current)
        {
            text.Sample("certmgr_certificate_expiry_timestamp_seconds", c.NotAfter.ToUnixTimeSeconds(),
                ("definition_id", c.Id.ToString()), ("definition_name", c.Name), ("serial", c.SerialNumber), ("thumbprint", c.Sha1));
        }

        var monitored = await db.Definitions.AsNoTracking()
            .Where(d => d.MonitorStatus != null)
            .OrderBy(d => d.Id)
            .Select(d => new { d.Id, d.Name, Status = d.MonitorStatus!.Value, d.MonitoredAt })
            .ToListAsync(ct);
        text.Family("certmgr_monitor_definitions", "gauge", "Definitions by the status of their last monitor result.");
        foreach (var status in Enum.GetValues<CheckStatus>())
        {
            text.Sample("certmgr_monitor_definitions", monitored.Count(m => m.Status == status), ("status", StatusName(status)));
        }

        text.Family("certmgr_monitor_last_result", "gauge", "Each monitored definition's last result: 1 for its status.");
        foreach (var m in monitored)
        {
            text.Sample("certmgr_monitor_last_result", 1, ("definition_id", m.Id.ToString()), ("definition_name", m.Name), ("status", StatusName(m.Status)));
        }

        var monitorRun = await db.MonitorRuns.AsNoTracking().Where(r => r.EndedAt != null)
            .OrderByDescending(r => r.StartedAt).Select(r => new { r.StartedAt, r.EndedAt }).FirstOrDefaultAsync(ct);
        var scan = await db.DiscoveryScans.AsNoTracking().Where(s => s.EndedAt != null)
            .OrderByDescending(s => s.StartedAt).Select(s => new { s.StartedAt, s.EndedAt }).FirstOrDefaultAsync(ct);
        text.Family("certmgr_monitor_pass_duration_seconds", "gauge", "Duration of the last finished monitor pass.");
        text.Sample("certmgr_monitor_pass_duration_seconds", monitorRun is null ? 0 : (monitorRun.EndedAt!.Value - monitorRun.StartedAt).TotalSeconds);
        text.Family("certmgr_monitor_pass_last_end_timestamp_seconds", "gauge", "End of the last finished monitor pass, as Unix time (0: none yet).");
        text.Sample("certmgr_monitor_pass_last_end_timestamp_seconds", monitorRun?.EndedAt?.ToUnixTimeSeconds() ?? 0);
        text.Family("certmgr_discovery_scan_duration_seconds", "gauge", "Duration of the last finished discovery scan.");
        text.Sample("certmgr_discovery_scan_duration_seconds", scan is null ? 0 : (scan.EndedAt!.Value - scan.StartedAt).TotalSeconds);

        var requests = await db.Requests.AsNoTracking().Where(r => OpenRequestStates.Contains(r.Status))
            .GroupBy(r => r.Status).Select(g => new { Status = g.Key, Count = g.Count() }).ToListAsync(ct);
        text.Family("certmgr_acquisitions_open", "gauge", "Acquisition processes not completed or cancelled, by state (Ordered: waiting for the CA; Interrupted: waiting for a person).");
        foreach (var state in OpenRequestStates)
        {
            text.Sample("certmgr_acquisitions_open", requests.FirstOrDefault(r => r.Status == state)?.Count ?? 0, ("state", state.ToString()));
        }

        text.Family("certmgr_unattended_interrupted", "gauge", "Unattended processes interrupted and waiting for a person.");
        text.Sample("certmgr_unattended_interrupted", await db.UnattendedStates.CountAsync(s => s.InterruptedAt != null, ct));

        text.Family("certmgr_emails_failed", "gauge", "Sent emails whose delivery failed.");
        text.Sample("certmgr_emails_failed", await db.SentEmails.CountAsync(e => e.Status == EmailStatus.Failed, ct));
        return text.ToString();
    }

    private static string StatusName(CheckStatus status) => status switch
    {
        CheckStatus.Ok => "OK",
        CheckStatus.Ng => "NG",
        _ => "Unreachable",
    };
}
