using System.CommandLine;
using CertMgr.Core.Security;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Cli.Commands;

/// <summary>
/// <c>certmgr user add|list</c>: console users from the command line (the console's Users screen comes with issue 13).
/// A new user gets a random initial password, printed once, that must be changed at the first sign-in.
/// </summary>
internal static class UserCommand
{
    private static readonly Argument<string> Name = new("name") { Description = "The user name (letters, digits, '.', '_', '@', '-')." };
    private static readonly Option<UserRole> Role = new("--role") { Description = "Admin or User (default User: no user management, settings, CA setup or key export).", DefaultValueFactory = _ => UserRole.User };
    private static readonly Option<string?> Email = new("--email") { Description = "The user's email address." };

    public static void AddTo(RootCommand root, TextWriter output, TextWriter error)
    {
        var user = new Command("user", "Console users.");
        var add = new Command("add", "Add a user with a random initial password (printed once; changed at the first sign-in).");
        add.Arguments.Add(Name);
        add.Options.Add(Role);
        add.Options.Add(Email);
        add.SetAction((parse, ct) => AddAsync(parse, output, error, ct));
        var list = new Command("list", "List the users with their role and state.");
        list.SetAction((parse, ct) => ListAsync(parse, output, error, ct));
        user.Subcommands.Add(add);
        user.Subcommands.Add(list);
        root.Subcommands.Add(user);
    }

    private static async Task<int> AddAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: false, ct);
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var created = await host.Get<UserAccounts>().CreateUserAsync(parse.GetValue(Name)!, parse.GetValue(Role), parse.GetValue(Email), CaCommand.Actor, ct);
            if (!created.IsSuccess)
            {
                return await CliHost.FailAsync(error, created.Error);
            }

            var (user, password) = created.Value;
            await output.WriteLineAsync($"User '{user.UserName}' ({user.Role}) added.");
            await output.WriteLineAsync($"Initial password (shown once, to be changed at the first sign-in): {password}");
            return CliApp.ExitOk;
        }
    }

    private static async Task<int> ListAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (host, code) = await CliHost.OpenAsync(parse, error, ensureCa: false, ct, readOnly: true);
        if (host is null)
        {
            return code;
        }

        await using (host)
        {
            var users = await host.Get<CertMgrDbContext>().Users.AsNoTracking()
                .OrderBy(u => u.UserName)
                .Select(u => new { u.UserName, u.Role, u.Disabled, u.MustChangePassword, u.LastLoginAt })
                .ToListAsync(ct);
            foreach (var u in users)
            {
                var state = u.Disabled ? "disabled" : u.MustChangePassword ? "must change password" : "active";
                await output.WriteLineAsync($"{u.UserName,-24} {u.Role,-6} {state,-21} last sign-in {(u.LastLoginAt is { } at ? at.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "never")}");
            }

            return CliApp.ExitOk;
        }
    }
}
