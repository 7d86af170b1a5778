using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CertMgr.Data.Model;
using CertMgr.Web.Tests.Api;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Web.Tests.AcmeServer;

/// <summary>
/// /api/v1/acme-server over real HTTPS: settings read by anyone and changed by admins only (per-field 400s that save
/// nothing), EAB credentials whose HMAC key is answered once and never listed, revocation of unused credentials, and
/// an admin's deactivation of an account.
/// </summary>
public sealed class AcmeServerApiTests : IAsyncLifetime
{
    private static readonly string[] BadDomains = ["not a domain!"];
    private static readonly string[] ExampleDomains = ["example.test"];
    private static readonly string[] WebDomains = ["web.example.test"];
    private readonly PlatformApiServer _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    [Fact]
    public async Task Settings_UserReadsAdminSaves_BadFieldsRefusedAndNothingSaved()
    {
        using var admin = _server.Client(await _server.TokenForNewUserAsync(UserRole.Admin));
        using var user = _server.Client(await _server.TokenForNewUserAsync(UserRole.User));

        var before = await JsonAsync(await user.GetAsync("/api/v1/acme-server/settings"));
        Assert.Equal(JsonValueKind.Null, before.GetProperty("overrides").GetProperty("requireEab").ValueKind);

        Assert.Equal(HttpStatusCode.Forbidden, (await user.PutAsJsonAsync("/api/v1/acme-server/settings", new { requireEab = true })).StatusCode);
        var bad = await ProblemAsync(await admin.PutAsJsonAsync("/api/v1/acme-server/settings",
            new { requireEab = true, allowedDomains = BadDomains, certificateDays = 0, authorizationReuseDays = -1 }), HttpStatusCode.BadRequest, "acme-settings-invalid");
        var errors = bad.GetProperty("errors");
        Assert.True(errors.TryGetProperty("allowedDomains", out _));
        Assert.Contains("Between 1 and", errors.GetProperty("certificateDays")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("Between 0", errors.GetProperty("authorizationReuseDays")[0].GetString(), StringComparison.Ordinal);
        var unchanged = await JsonAsync(await user.GetAsync("/api/v1/acme-server/settings"));
        Assert.Equal(before.GetRawText(), unchanged.GetRawText());

        var saved = await JsonAsync(await admin.PutAsJsonAsync("/api/v1/acme-server/settings",
            new { requireEab = true, allowedDomains = ExampleDomains, certificateDays = 30, authorizationReuseDays = 0 }));

        Assert.True(saved.GetProperty("effective").GetProperty("requireEab").GetBoolean());
        Assert.Equal(["example.test"], saved.GetProperty("effective").GetProperty("globalAllowedDomains").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(30, saved.GetProperty("certificateDays").GetInt32());
        Assert.Equal(0, saved.GetProperty("authorizationReuseDays").GetInt32());
        var overview = await JsonAsync(await user.GetAsync("/api/v1/acme-server"));
        Assert.True(overview.GetProperty("requireEab").GetBoolean());
        Assert.Equal("/acme/directory", overview.GetProperty("directoryPath").GetString());
    }

    [Fact]
    public async Task Eab_KeyAnsweredOnceNeverListed_UnusedRevoked_UsedRefused()
    {
        using var admin = _server.Client(await _server.TokenForNewUserAsync(UserRole.Admin));
        using var user = _server.Client(await _server.TokenForNewUserAsync(UserRole.User));

        Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsJsonAsync("/api/v1/acme-server/eab", new { note = "web team" })).StatusCode);
        await ProblemAsync(await admin.PostAsJsonAsync("/api/v1/acme-server/eab", new { note = "bad\u0007note" }), HttpStatusCode.BadRequest, "note-invalid");
        var created = await admin.PostAsJsonAsync("/api/v1/acme-server/eab", new { note = "web team", allowedDomains = WebDomains });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var credentials = await JsonAsync(created);
        var keyId = credentials.GetProperty("keyId").GetString()!;
        var hmac = credentials.GetProperty("hmacKey").GetString()!;
        var used = await JsonAsync(await admin.PostAsJsonAsync("/api/v1/acme-server/eab", new { note = "bound" }));
        var usedKeyId = used.GetProperty("keyId").GetString()!;

        var listText = await user.GetStringAsync("/api/v1/acme-server/eab");
        Assert.DoesNotContain(hmac, listText, StringComparison.Ordinal);
        var listed = JsonDocument.Parse(listText).RootElement.EnumerateArray().Single(k => k.GetProperty("keyId").GetString() == keyId);
        Assert.Equal("web team", listed.GetProperty("note").GetString());
        Assert.Equal(2, await _server.DbAsync(db => db.AuditEvents.CountAsync(a => a.ObjectType == "AcmeServerEabKey" && a.Action == "create")));
        Assert.Empty(await _server.DbAsync(db => db.AuditEvents.Where(a => a.Detail != null && a.Detail.Contains(hmac)).ToListAsync()));

        var accountId = await AccountAsync(usedKeyId);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.DeleteAsync($"/api/v1/acme-server/eab/{keyId}")).StatusCode);
        await ProblemAsync(await admin.DeleteAsync($"/api/v1/acme-server/eab/{usedKeyId}"), HttpStatusCode.Conflict, "acme-eab-used");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/acme-server/eab/{keyId}")).StatusCode);
        await ProblemAsync(await admin.DeleteAsync($"/api/v1/acme-server/eab/{keyId}"), HttpStatusCode.NotFound, "acme-eab-not-found");

        var remaining = JsonDocument.Parse(await user.GetStringAsync("/api/v1/acme-server/eab")).RootElement.EnumerateArray()
            .Select(k => k.GetProperty("keyId").GetString()).ToList();
        Assert.Equal([usedKeyId], remaining);
        Assert.Equal(accountId, await _server.DbAsync(db => db.AcmeServerEabKeys.Where(k => k.KeyId == usedKeyId).Select(k => k.AccountId).SingleAsync()));
    }

    [Fact]
    public async Task DeactivateAccount_AdminOnly_OnceThenConflict_UnknownNotFound()
    {
        using var admin = _server.Client(await _server.TokenForNewUserAsync(UserRole.Admin));
        using var user = _server.Client(await _server.TokenForNewUserAsync(UserRole.User));
        var accountId = await AccountAsync(eabKeyId: null);

        Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsync($"/api/v1/acme-server/accounts/{accountId}/deactivate", null)).StatusCode);
        var done = await JsonAsync(await admin.PostAsync($"/api/v1/acme-server/accounts/{accountId}/deactivate", null));
        Assert.Equal(nameof(AcmeServerStatus.Deactivated), done.GetProperty("status").GetString());
        await ProblemAsync(await admin.PostAsync($"/api/v1/acme-server/accounts/{accountId}/deactivate", null), HttpStatusCode.Conflict, "acme-account-not-valid");
        await ProblemAsync(await admin.PostAsync($"/api/v1/acme-server/accounts/{Guid.NewGuid()}/deactivate", null), HttpStatusCode.NotFound, "acme-account-not-found");

        Assert.Equal(AcmeServerStatus.Deactivated, await _server.DbAsync(db => db.AcmeServerAccounts.Where(a => a.Id == accountId).Select(a => a.Status).SingleAsync()));
        Assert.Equal(1, await _server.DbAsync(db => db.AuditEvents.CountAsync(a => a.ObjectId == accountId.ToString() && a.Action == "deactivate")));
        var listed = JsonDocument.Parse(await user.GetStringAsync("/api/v1/acme-server/accounts")).RootElement.EnumerateArray()
            .Single(a => a.GetProperty("id").GetGuid() == accountId);
        Assert.Equal(nameof(AcmeServerStatus.Deactivated), listed.GetProperty("status").GetString());
    }

    /// <summary>An account as new-account would store it (the protocol itself is covered by the ACME server tests), bound to <paramref name="eabKeyId"/>.</summary>
    private Task<Guid> AccountAsync(string? eabKeyId) => _server.DbAsync(async db =>
    {
        var account = new AcmeServerAccount
        {
            KeyThumbprint = Guid.NewGuid().ToString("N"),
            Jwk = """{"kty":"EC","crv":"P-256","x":"x","y":"y"}""",
            Contact = ["mailto:ops@example.test"],
            EabKeyId = eabKeyId,
            CreatedAt = TimeProvider.System.GetUtcNow(),
        };
        db.AcmeServerAccounts.Add(account);
        if (eabKeyId is not null)
        {
            var key = await db.AcmeServerEabKeys.SingleAsync(k => k.KeyId == eabKeyId);
            key.AccountId = account.Id;
            key.UsedAt = account.CreatedAt;
        }

        await db.SaveChangesAsync();
        return account.Id;
    });
}
