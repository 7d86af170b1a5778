using System.Diagnostics;
using System.Text.Json;
using CertMgr.Core.Acquisition.Backends;
using CertMgr.Core.Catalog;
using CertMgr.Core.Setup;
using CertMgr.Core.Unattended;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Cli.Tests.Unattended;

/// <summary><c>certmgr unattended run</c> as a real process, including one killed on purpose right after the CA issued.</summary>
public sealed class UnattendedCommandTests : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "certmgr-cli-unattended-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    private async Task<(int Code, string Out, string Err)> CertmgrAsync(string? crashAt, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "certmgr.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.ArgumentList.Add("--home");
        info.ArgumentList.Add(_home);
        info.Environment.Remove("CERTMGR_HOME");
        info.Environment.Remove(CrashPoints.Variable);
        if (crashAt is not null)
        {
            info.Environment[CrashPoints.Variable] = crashAt;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private async Task<T> DbAsync<T>(Func<CertMgrDbContext, Task<T>> query)
    {
        var settings = CertMgrSettings.Resolve(_home, null, _ => null);
        await using var db = new CertMgrDbContext(settings.Database.CreateOptions());
        var result = await query(db);
        SqliteConnection.ClearAllPools();
        return result;
    }

    [Fact]
    public async Task Run_KilledRightAfterIssuanceThenRestarted_OneCertificateIssuedAndTheAcquisitionCompleted()
    {
        var (code, output, error) = await CertmgrAsync(null, "unattended", "run", "--json"); // a new data directory: nothing to do
        Assert.True(code == 0, error);
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetProperty("total").GetInt32());
        var definitionId = await DbAsync(async db =>
        {
            var product = await db.Products.SingleAsync(p => p.Provider == ProductCatalog.BuiltInProvider && p.Name == ProductCatalog.BuiltInProductName);
            var d = new CertificateDefinition
            {
                Name = "crash.unattended.test", CommonName = "crash.unattended.test", SubjectAlternativeNames = ["crash.unattended.test"],
                ExecutionMode = ExecutionMode.Unattended, ProductId = product.Id, CreatedAt = TimeProvider.System.GetUtcNow(), UpdatedAt = TimeProvider.System.GetUtcNow(),
            };
            db.Definitions.Add(d);
            await db.SaveChangesAsync();
            return d.Id;
        });

        var crashed = await CertmgrAsync(BuiltInCaBackend.AfterIssue, "unattended", "run");

        Assert.NotEqual(0, crashed.Code);
        Assert.Contains(CrashPoints.Variable, crashed.Err, StringComparison.Ordinal);
        var afterCrash = await DbAsync(async db => new
        {
            Issued = await db.IssuedCertificates.CountAsync(c => c.Profile == IssuedCertificateProfile.Server && c.Status == IssuedCertificateStatus.Valid),
            Request = await db.Requests.AsNoTracking().SingleAsync(r => r.DefinitionId == definitionId),
            Pending = await db.CaSubmissions.CountAsync(s => s.Status == SubmissionStatus.Pending),
            Lease = await db.UnattendedStates.AsNoTracking().Where(s => s.DefinitionId == definitionId).Select(s => s.LeaseOwner).SingleAsync(),
        });
        Assert.Equal(1, afterCrash.Issued);
        Assert.Equal(RequestStatus.KeyAndCsrReady, afterCrash.Request.Status); // the crash came before the certificate was stored
        Assert.Equal(1, afterCrash.Pending);
        Assert.NotNull(afterCrash.Lease); // the dead process never released it

        var (again, json, againError) = await CertmgrAsync(null, "unattended", "run", "--json");

        var item = JsonDocument.Parse(json).RootElement.GetProperty("items")[0];
        Assert.Equal(definitionId, item.GetProperty("definition").GetGuid());
        // No automatic deploy target is set up in this data directory: the process goes on to deployment and stops there.
        Assert.Equal("Interrupted", item.GetProperty("outcome").GetString());
        Assert.Equal(UnattendedSteps.Install, item.GetProperty("step").GetString());
        Assert.Equal(1, again);
        Assert.Equal("", againError);
        var final = await DbAsync(async db => new
        {
            Ledger = await db.IssuedCertificates.AsNoTracking().Where(c => c.Profile == IssuedCertificateProfile.Server).ToListAsync(),
            Request = await db.Requests.AsNoTracking().Include(r => r.Certificate).SingleAsync(r => r.DefinitionId == definitionId),
            Definition = await db.Definitions.AsNoTracking().SingleAsync(d => d.Id == definitionId),
            Submission = await db.CaSubmissions.AsNoTracking().SingleAsync(),
        });
        var ledger = Assert.Single(final.Ledger);
        Assert.Equal(RequestStatus.Completed, final.Request.Status);
        Assert.Equal(ledger.SerialNumber, final.Request.Certificate!.SerialNumber);
        Assert.Equal(final.Request.Certificate.Id, final.Definition.CurrentCertificateId);
        Assert.Equal(SubmissionStatus.Issued, final.Submission.Status);
    }

    [Fact]
    public async Task Run_Text_PrintsEachDefinitionsOutcome()
    {
        Assert.Equal(0, (await CertmgrAsync(null, "unattended", "run")).Code);
        await DbAsync(async db =>
        {
            db.Definitions.Add(new CertificateDefinition
            {
                Name = "noproduct.unattended.test", CommonName = "noproduct.unattended.test", ExecutionMode = ExecutionMode.Unattended,
                CreatedAt = TimeProvider.System.GetUtcNow(), UpdatedAt = TimeProvider.System.GetUtcNow(),
            });
            return await db.SaveChangesAsync();
        });

        var (code, output, _) = await CertmgrAsync(null, "unattended", "run");

        Assert.Equal(1, code);
        Assert.Contains("interrupted 1", output, StringComparison.Ordinal);
        Assert.Contains("Interrupted noproduct.unattended.test at product: The definition has no product", output, StringComparison.Ordinal);
    }
}
