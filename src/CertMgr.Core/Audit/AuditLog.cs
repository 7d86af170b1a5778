using CertMgr.Data;
using CertMgr.Data.Model;

namespace CertMgr.Core.Audit;

/// <summary>
/// Adds audit events to the caller's unit of work, so that an action and its record commit together.
/// </summary>
public static class AuditLog
{
    public const string System = "system";

    public static AuditEvent Record(
        this CertMgrDbContext db,
        DateTimeOffset at,
        string actor,
        string objectType,
        string? objectId,
        string action,
        bool success = true,
        string? detail = null,
        string? address = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        var e = new AuditEvent
        {
            At = at,
            Actor = actor,
            ObjectType = objectType,
            ObjectId = objectId,
            Action = action,
            Outcome = success ? "success" : "failure",
            Detail = detail,
            Address = address,
        };
        db.AuditEvents.Add(e);
        return e;
    }
}
