using System.Security.Claims;
using CertMgr.Core.Common;
using CertMgr.Core.Notifications;
using CertMgr.Web.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CertMgr.Web.Api;

/// <summary>
/// <c>/api/v1/settings/notifications</c> (admin): the administrator's contact and outgoing SMTP (GET, PUT; the SMTP
/// password is write-only, only <c>smtpHasPassword</c> is returned) and <c>POST …/test-email</c>, which sends a test
/// email now and returns the server's answer (a refusal is a 503 problem carrying the server's answer).
/// </summary>
public static class SettingsApi
{
    public sealed record NotificationSettingsBody(
        string? AdminName, string? AdminEmail, string? SmtpHost, int? SmtpPort, string? SmtpSecurity, string? SmtpUser, string? SmtpPassword,
        bool? ClearSmtpPassword, string? SenderAddress, string? SenderName)
    {
        public override string ToString() => $"NotificationSettingsBody {{ SmtpHost = {SmtpHost}, SmtpUser = {SmtpUser} }}"; // never the password
    }

    public sealed record TestEmailBody(string? To);

    public sealed record TestEmailResult(bool Sent, string ServerAnswer);

    public static void MapSettingsApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var g = api.MapGroup("/settings/notifications").WithTags("Settings").RequireAuthorization(CertMgrClaims.AdminPolicy);
        g.MapGet("/", async (NotificationSettings s, CancellationToken ct) => TypedResults.Ok(await s.GetAsync(ct)));
        g.MapPut("/", PutAsync);
        g.MapPost("/test-email", TestAsync);
    }

    internal static async Task<IResult> PutAsync(NotificationSettingsBody? body, NotificationSettings settings, ClaimsPrincipal user, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiRoutes.Problem(new Error("body-missing", "Send the settings as a JSON object."));
        }

        var security = Core.Notifications.SmtpSecurity.StartTls;
        if (!string.IsNullOrWhiteSpace(body.SmtpSecurity) && !TryParseSecurity(body.SmtpSecurity, out security))
        {
            return ApiRoutes.Problem(Error.Invalid("settings-invalid", "Some settings are not valid; nothing was saved.", "smtpSecurity"));
        }

        var saved = await settings.SaveAsync(new NotificationSettingsInput
        {
            AdminName = body.AdminName,
            AdminEmail = body.AdminEmail,
            SmtpHost = body.SmtpHost,
            SmtpPort = body.SmtpPort,
            SmtpSecurity = security,
            SmtpUser = body.SmtpUser,
            SmtpPassword = body.SmtpPassword,
            ClearSmtpPassword = body.ClearSmtpPassword ?? false,
            SenderAddress = body.SenderAddress,
            SenderName = body.SenderName,
        }, user?.Identity?.Name ?? "api", ct);
        return saved.IsSuccess ? TypedResults.Ok(saved.Value) : ApiRoutes.Problem(saved.Error);
    }

    internal static async Task<IResult> TestAsync(TestEmailBody? body, NotificationSettings settings, ClaimsPrincipal user, CancellationToken ct)
    {
        var sent = await settings.SendTestAsync(body?.To, user?.Identity?.Name ?? "api", ct);
        return sent.IsSuccess ? TypedResults.Ok(new TestEmailResult(true, sent.Value)) : ApiRoutes.Problem(sent.Error);
    }

    /// <summary>StartTls | Tls | None (also "starttls", "ssl", "none"), by name only.</summary>
    public static bool TryParseSecurity(string value, out SmtpSecurity security)
    {
        security = Core.Notifications.SmtpSecurity.StartTls;
        switch (value?.Trim().ToLowerInvariant())
        {
            case "starttls":
                return true;
            case "tls" or "ssl":
                security = Core.Notifications.SmtpSecurity.Tls;
                return true;
            case "none":
                security = Core.Notifications.SmtpSecurity.None;
                return true;
            default:
                return false;
        }
    }
}
