using CertMgr.Core.Security;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Tests.Security;

public class UserAccountsTests
{
    /// <summary>The database the class runs on; a subclass in OnPostgres.cs runs it all again on PostgreSQL.</summary>
    protected virtual TestDatabase Database => TestDatabase.Sqlite;

    private static Task<T> Users<T>(CoreFixture f, Func<UserAccounts, Task<T>> action) =>
        f.WithAsync(sp => action(sp.GetRequiredService<UserAccounts>()));

    [Fact]
    public async Task Initialize_NewDirectory_CreatesAdminThatMustChangeItsPasswordAndOwnerOnlyPasswordFile()
    {
        await using var f = await CoreFixture.CreateAsync(initialize: false, database: Database);
        var outcome = await f.InitializeAsync();

        Assert.NotNull(outcome.InitialAdminPassword);
        var admin = await f.DbAsync(db => db.Users.SingleAsync());
        Assert.Equal("admin", admin.UserName);
        Assert.Equal(UserRole.Admin, admin.Role);
        Assert.True(admin.MustChangePassword);
        Assert.DoesNotContain(outcome.InitialAdminPassword, admin.PasswordHash, StringComparison.Ordinal);
        Assert.Equal(outcome.InitialAdminPassword + "\n", await File.ReadAllTextAsync(f.Home.InitialPasswordPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f.Home.InitialPasswordPath));

        var again = await f.InitializeAsync();
        Assert.Null(again.InitialAdminPassword);
        Assert.Equal(1, await f.DbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task SignIn_InitialPassword_SucceedsAndWrongPasswordFails()
    {
        await using var f = await CoreFixture.CreateAsync(initialize: false, database: Database);
        var password = (await f.InitializeAsync()).InitialAdminPassword!;

        var ok = await Users(f, u => u.SignInAsync("ADMIN", password, "127.0.0.1", CancellationToken.None));
        var bad = await Users(f, u => u.SignInAsync("admin", password + "x", "127.0.0.1", CancellationToken.None));
        var unknown = await Users(f, u => u.SignInAsync("nobody", password, "127.0.0.1", CancellationToken.None));

        Assert.True(ok.IsSuccess);
        Assert.True(ok.Value.MustChangePassword);
        Assert.Equal("invalid-credentials", bad.Error?.Code);
        Assert.Equal("invalid-credentials", unknown.Error?.Code);
        var audit = await f.DbAsync(db => db.AuditEvents.Where(e => e.Action == "sign-in").ToListAsync());
        Assert.Equal(1, audit.Count(e => e.Outcome == "success"));
        Assert.Equal(2, audit.Count(e => e.Outcome == "failure"));
        Assert.DoesNotContain(audit, e => (e.Detail ?? "").Contains(password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswords_LocksOutEvenTheRightPasswordUntilLockoutEnds()
    {
        await using var f = await CoreFixture.CreateAsync(initialize: false, database: Database);
        var password = (await f.InitializeAsync()).InitialAdminPassword!;

        for (var i = 0; i < UserAccounts.MaxFailedLogins; i++)
        {
            await Users(f, u => u.SignInAsync("admin", "wrong-password-" + i, null, CancellationToken.None));
        }

        var locked = await Users(f, u => u.SignInAsync("admin", password, null, CancellationToken.None));
        Assert.Equal("locked-out", locked.Error?.Code);

        f.Time.Advance(UserAccounts.LockoutDuration + TimeSpan.FromSeconds(1));
        var after = await Users(f, u => u.SignInAsync("admin", password, null, CancellationToken.None));
        Assert.True(after.IsSuccess);
    }

    [Fact]
    public async Task ChangePassword_Valid_ClearsForcedChangeRotatesStampAndDeletesInitialPasswordFile()
    {
        await using var f = await CoreFixture.CreateAsync(initialize: false, database: Database);
        var password = (await f.InitializeAsync()).InitialAdminPassword!;
        var before = await f.DbAsync(db => db.Users.SingleAsync());

        var result = await Users(f, u => u.ChangePasswordAsync(before.Id, password, "correct horse battery staple", null, CancellationToken.None));

        Assert.True(result.IsSuccess);
        var after = await f.DbAsync(db => db.Users.SingleAsync());
        Assert.False(after.MustChangePassword);
        Assert.NotEqual(before.SecurityStamp, after.SecurityStamp);
        Assert.False(File.Exists(f.Home.InitialPasswordPath));
        Assert.True((await Users(f, u => u.SignInAsync("admin", "correct horse battery staple", null, CancellationToken.None))).IsSuccess);
        Assert.False((await Users(f, u => u.SignInAsync("admin", password, null, CancellationToken.None))).IsSuccess);
    }

    [Theory]
    [InlineData("short", "password-too-short")]
    [InlineData("aaaaaaaaaaaaaaaa", "password-weak")]
    [InlineData("my-admin-password-1", "password-contains-username")]
    public async Task ChangePassword_PolicyViolation_RefusedAndNothingChanges(string newPassword, string code)
    {
        await using var f = await CoreFixture.CreateAsync(initialize: false, database: Database);
        var password = (await f.InitializeAsync()).InitialAdminPassword!;
        var before = await f.DbAsync(db => db.Users.SingleAsync());

        var result = await Users(f, u => u.ChangePasswordAsync(before.Id, password, newPassword, null, CancellationToken.None));

        Assert.Equal(code, result.Error?.Code);
        var after = await f.DbAsync(db => db.Users.SingleAsync());
        Assert.Equal(before.PasswordHash, after.PasswordHash);
        Assert.True(after.MustChangePassword);
        Assert.True(File.Exists(f.Home.InitialPasswordPath));
    }

    [Fact]
    public async Task ChangePassword_WrongCurrentPassword_Refused()
    {
        await using var f = await CoreFixture.CreateAsync(initialize: false, database: Database);
        await f.InitializeAsync();
        var admin = await f.DbAsync(db => db.Users.SingleAsync());

        var result = await Users(f, u => u.ChangePasswordAsync(admin.Id, "not-the-password", "correct horse battery staple", null, CancellationToken.None));

        Assert.Equal("wrong-current-password", result.Error?.Code);
        Assert.True(File.Exists(f.Home.InitialPasswordPath));
    }

    [Fact]
    public void GeneratePassword_Always_FiveGroupsOfFiveWithoutLookalikes()
    {
        var passwords = Enumerable.Range(0, 50).Select(_ => UserAccounts.GeneratePassword()).ToList();
        Assert.All(passwords, p =>
        {
            Assert.Matches("^[a-km-zA-HJ-NP-Z2-9]{5}(-[a-km-zA-HJ-NP-Z2-9]{5}){4}$", p);
            Assert.True(PasswordPolicy.Check(p, "admin").IsSuccess);
        });
        Assert.Equal(passwords.Count, passwords.Distinct().Count());
    }
}
