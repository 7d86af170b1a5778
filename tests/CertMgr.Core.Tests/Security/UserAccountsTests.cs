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
    public async Task SignIn_FiveWrongPasswordsFromOneAddress_LocksTheAccountForThatAddressOnlyUntilTheWindowEnds()
    {
        await using var f = await CoreFixture.CreateAsync(initialize: false, database: Database);
        var password = (await f.InitializeAsync()).InitialAdminPassword!;

        for (var i = 0; i < SignInThrottle.MaxFailuresPerAccount; i++)
        {
            await Users(f, u => u.SignInAsync("admin", "wrong-password-" + i, "192.0.2.66", CancellationToken.None));
        }

        var lockedHere = await Users(f, u => u.SignInAsync("admin", password, "192.0.2.66", CancellationToken.None));
        var elsewhere = await Users(f, u => u.SignInAsync("admin", password, "192.0.2.10", CancellationToken.None));

        Assert.Equal("invalid-credentials", lockedHere.Error?.Code);
        Assert.True(elsewhere.IsSuccess);
        f.Time.Advance(SignInThrottle.Window + TimeSpan.FromSeconds(1));
        Assert.True((await Users(f, u => u.SignInAsync("admin", password, "192.0.2.66", CancellationToken.None))).IsSuccess);
    }

    [Fact]
    public async Task SignIn_UnknownUserWrongPasswordAndLockedAccount_SameAnswer()
    {
        await using var f = await CoreFixture.CreateAsync(initialize: false);
        await f.InitializeAsync();
        for (var i = 0; i < SignInThrottle.MaxFailuresPerAccount; i++)
        {
            await Users(f, u => u.SignInAsync("admin", "wrong-password-" + i, "192.0.2.77", CancellationToken.None));
        }

        var unknown = await Users(f, u => u.SignInAsync("nobody", "some-password-123", "192.0.2.78", CancellationToken.None));
        var wrong = await Users(f, u => u.SignInAsync("admin", "some-password-123", "192.0.2.78", CancellationToken.None));
        var locked = await Users(f, u => u.SignInAsync("admin", "some-password-123", "192.0.2.77", CancellationToken.None));

        Assert.Equal(unknown.Error, wrong.Error);
        Assert.Equal(unknown.Error, locked.Error);
        Assert.Equal("The user name or password is incorrect.", locked.Error?.Message);
        var admin = await f.DbAsync(db => db.Users.SingleAsync());
        Assert.Null(admin.LockoutEnd);
    }

    [Fact]
    public async Task SignIn_ManyFailuresFromOneAddress_ThatAddressRefusedForAnyNameOthersNot()
    {
        await using var f = await CoreFixture.CreateAsync(initialize: false);
        var password = (await f.InitializeAsync()).InitialAdminPassword!;
        for (var i = 0; i < SignInThrottle.MaxFailuresPerAddress; i++)
        {
            await Users(f, u => u.SignInAsync("guess-" + i, "wrong-password", "198.51.100.7", CancellationToken.None));
        }

        var throttled = await Users(f, u => u.SignInAsync("admin", password, "198.51.100.7", CancellationToken.None));
        var again = await Users(f, u => u.SignInAsync("root", "x", "198.51.100.7", CancellationToken.None));
        var other = await Users(f, u => u.SignInAsync("admin", password, "198.51.100.8", CancellationToken.None));

        Assert.Equal(UserAccounts.TooManyAttemptsCode, throttled.Error?.Code);
        Assert.Equal(UserAccounts.TooManyAttemptsCode, again.Error?.Code);
        // The block's first refusal is audited (with the name tried, never the password); the rest of the run is not.
        var blocked = Assert.Single(await f.DbAsync(db => db.AuditEvents.Where(e => e.Action == "sign-in" && e.Detail!.StartsWith("address blocked")).ToListAsync()));
        Assert.Equal("admin", blocked.Actor);
        Assert.Equal("198.51.100.7", blocked.Address);
        Assert.Equal("failure", blocked.Outcome);
        Assert.DoesNotContain(password, blocked.Detail, StringComparison.Ordinal);
        Assert.True(other.IsSuccess);
        f.Time.Advance(SignInThrottle.Window + TimeSpan.FromSeconds(1));
        Assert.True((await Users(f, u => u.SignInAsync("admin", password, "198.51.100.7", CancellationToken.None))).IsSuccess);
    }

    [Fact]
    public async Task SignOut_RotatesSecurityStamp_OldSessionNoLongerActive()
    {
        await using var f = await CoreFixture.CreateAsync(initialize: false);
        await f.InitializeAsync();
        var before = await f.DbAsync(db => db.Users.SingleAsync());

        await Users(f, async u =>
        {
            await u.SignOutAsync(before.Id, "127.0.0.1", CancellationToken.None);
            return 0;
        });

        Assert.Null(await Users(f, u => u.FindActiveAsync(before.Id, before.SecurityStamp, CancellationToken.None)));
        Assert.Equal(1, await f.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "sign-out")));
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
