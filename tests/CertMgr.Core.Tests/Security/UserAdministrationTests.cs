using CertMgr.Core.Security;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Security;

public class UserAdministrationTests
{
    private static Task<T> Admin<T>(CoreFixture f, Func<UserAdministration, Task<T>> action) =>
        f.WithAsync(sp => action(sp.GetRequiredService<UserAdministration>()));

    private static async Task<User> CreateAsync(CoreFixture f, string name, UserRole role) =>
        (await f.WithAsync(sp => sp.GetRequiredService<UserAccounts>().CreateUserAsync(name, role, null, "admin", CancellationToken.None))).Value.User;

    private static async Task<Guid> AdminIdAsync(CoreFixture f) => await f.DbAsync(db => db.Users.Where(u => u.UserName == "admin").Select(u => u.Id).SingleAsync());

    [Fact]
    public async Task Update_RoleEmailDisable_ChangesAreStoredAuditedAndSessionsEnd()
    {
        await using var f = await CoreFixture.CreateAsync();
        var adminId = await AdminIdAsync(f);
        var bob = await CreateAsync(f, "bob", UserRole.User);

        var updated = await Admin(f, a => a.UpdateAsync(bob.Id, new UserChanges(UserRole.Admin, "bob@example.com", "Bob"), adminId, "admin", "192.0.2.1", CancellationToken.None));
        Assert.True(updated.IsSuccess, updated.Error?.Message);
        Assert.Equal(UserRole.Admin, updated.Value.Role);
        var stored = await f.DbAsync(db => db.Users.SingleAsync(u => u.Id == bob.Id));
        Assert.NotEqual(bob.SecurityStamp, stored.SecurityStamp);
        Assert.Equal("bob@example.com", stored.Email);

        var disabled = await Admin(f, a => a.UpdateAsync(bob.Id, new UserChanges(Disabled: true), adminId, "admin", "192.0.2.1", CancellationToken.None));
        Assert.True(disabled.Value.Disabled);
        var active = await f.WithAsync(sp => sp.GetRequiredService<UserAccounts>().FindActiveAsync(bob.Id, stored.SecurityStamp, CancellationToken.None));
        Assert.Null(active);

        var audit = await f.DbAsync(db => db.AuditEvents.Where(e => e.ObjectId == bob.Id.ToString()).OrderBy(e => e.Id).ToListAsync());
        Assert.Contains(audit, e => e.Action == "update-user" && e.Detail!.Contains("role User -> Admin", StringComparison.Ordinal) && e.Address == "192.0.2.1" && e.Actor == "admin");
        Assert.Contains(audit, e => e.Action == "disable-user");
    }

    [Fact]
    public async Task Update_InvalidEmailOrLongName_PerFieldErrorAndNothingChanges()
    {
        await using var f = await CoreFixture.CreateAsync();
        var adminId = await AdminIdAsync(f);
        var bob = await CreateAsync(f, "bob", UserRole.User);

        var badEmail = await Admin(f, a => a.UpdateAsync(bob.Id, new UserChanges(UserRole.Admin, "not an email"), adminId, "admin", null, CancellationToken.None));
        var longName = await Admin(f, a => a.UpdateAsync(bob.Id, new UserChanges(DisplayName: new string('x', 101)), adminId, "admin", null, CancellationToken.None));
        var missing = await Admin(f, a => a.UpdateAsync(Guid.NewGuid(), new UserChanges(Disabled: true), adminId, "admin", null, CancellationToken.None));

        Assert.Equal("email-invalid", badEmail.Error?.Code);
        Assert.Contains("email", badEmail.Error!.Fields!.Keys);
        Assert.Equal("display-name-too-long", longName.Error?.Code);
        Assert.Equal("user-not-found", missing.Error?.Code);
        var stored = await f.DbAsync(db => db.Users.SingleAsync(u => u.Id == bob.Id));
        Assert.Equal(UserRole.User, stored.Role);
        Assert.Null(stored.Email);
    }

    [Fact]
    public async Task DisableDemoteDelete_OwnAccountOrLastAdmin_Refused()
    {
        await using var f = await CoreFixture.CreateAsync();
        var adminId = await AdminIdAsync(f);
        var other = await CreateAsync(f, "other-admin", UserRole.Admin);

        var self = await Admin(f, a => a.UpdateAsync(adminId, new UserChanges(Disabled: true), adminId, "admin", null, CancellationToken.None));
        var selfDelete = await Admin(f, a => a.DeleteAsync(adminId, adminId, "admin", null, CancellationToken.None));
        Assert.Equal("own-account", self.Error?.Code);
        Assert.Equal("own-account", selfDelete.Error?.Code);

        // other-admin demotes admin (allowed: other-admin stays), then admin is not the last and other-admin is.
        var demoted = await Admin(f, a => a.UpdateAsync(adminId, new UserChanges(Role: UserRole.User), other.Id, "other-admin", null, CancellationToken.None));
        Assert.True(demoted.IsSuccess);
        var bob = await CreateAsync(f, "bob", UserRole.Admin);
        await Admin(f, a => a.UpdateAsync(bob.Id, new UserChanges(Disabled: true), other.Id, "other-admin", null, CancellationToken.None));
        var last = await Admin(f, a => a.DeleteAsync(other.Id, bob.Id, "bob", null, CancellationToken.None));
        Assert.Equal("last-admin", last.Error?.Code);
        Assert.True(await f.DbAsync(db => db.Users.AnyAsync(u => u.Id == other.Id && u.Role == UserRole.Admin && !u.Disabled)));
    }

    [Fact]
    public async Task Delete_User_RemovesUserAndTokensAndAuditKeepsTheName()
    {
        await using var f = await CoreFixture.CreateAsync();
        var adminId = await AdminIdAsync(f);
        var bob = await CreateAsync(f, "bob", UserRole.User);
        await f.WithAsync(sp => sp.GetRequiredService<ApiTokens>().CreateAsync(bob.Id, "ci", null, CancellationToken.None));

        var deleted = await Admin(f, a => a.DeleteAsync(bob.Id, adminId, "admin", "192.0.2.9", CancellationToken.None));

        Assert.True(deleted.IsSuccess);
        Assert.False(await f.DbAsync(db => db.Users.AnyAsync(u => u.Id == bob.Id)));
        Assert.False(await f.DbAsync(db => db.ApiTokens.AnyAsync(t => t.UserId == bob.Id)));
        Assert.True(await f.DbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "delete-user" && e.Detail == "bob (User)" && e.Address == "192.0.2.9")));
    }

    [Fact]
    public async Task ResetPassword_NewPasswordSignsInMustChangeAndIsNeverAudited()
    {
        await using var f = await CoreFixture.CreateAsync();
        var bob = await CreateAsync(f, "bob", UserRole.User);

        var reset = await Admin(f, a => a.ResetPasswordAsync(bob.Id, "admin", null, CancellationToken.None));

        Assert.True(reset.IsSuccess);
        var signIn = await f.WithAsync(sp => sp.GetRequiredService<UserAccounts>().SignInAsync("bob", reset.Value, "127.0.0.1", CancellationToken.None));
        Assert.True(signIn.IsSuccess);
        Assert.True(signIn.Value.MustChangePassword);
        var details = await f.DbAsync(db => db.AuditEvents.Select(e => e.Detail ?? "").ToListAsync());
        Assert.DoesNotContain(details, d => d.Contains(reset.Value, StringComparison.Ordinal));
    }
}
