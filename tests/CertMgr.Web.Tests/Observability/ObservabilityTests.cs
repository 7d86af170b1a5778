using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CertMgr.Core.Inventory.Seeding;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Web.Observability;
using CertMgr.Web.Tests.Api;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Web.Tests.Observability;

/// <summary>/metrics scraped and parsed against the database; /healthz and /readyz on a live server.</summary>
public sealed partial class ObservabilityTests : IAsyncLifetime
{
    private ApiServer _server = null!;

    public async Task InitializeAsync() => _server = await ApiServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Metrics_ScrapedFromLoopback_ParsesAndMatchesDatabase()
    {
        await WithDbAsync(async sp =>
        {
            await sp.GetRequiredService<InventorySeeder>().SeedAsync(15, null, CancellationToken.None);
            var db = sp.GetRequiredService<CertMgrDbContext>();
            db.SentEmails.Add(new SentEmail { Subject = "a", Body = "b", Status = EmailStatus.Failed });
            db.SentEmails.Add(new SentEmail { Subject = "a", Body = "b", Status = EmailStatus.Failed });
            db.SentEmails.Add(new SentEmail { Subject = "a", Body = "b", Status = EmailStatus.Sent });
            return await db.SaveChangesAsync();
        });
        using var client = _server.Anonymous();

        using var response = await client.GetAsync("/metrics");
        var samples = Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, Assert.Single(samples, s => s.Name == "certmgr_build_info").Value);
        var current = await WithDbAsync(sp => sp.GetRequiredService<CertMgrDbContext>().Definitions.Where(d => d.CurrentCertificateId != null)
            .Select(d => new { d.Id, d.Name, d.CurrentCertificate!.SerialNumber, d.CurrentCertificate.Sha1, d.CurrentCertificate.NotAfter }).ToListAsync());
        var expiry = samples.Where(s => s.Name == "certmgr_certificate_expiry_timestamp_seconds").ToList();
        Assert.True(current.Count >= 15);
        Assert.Equal(current.Count, expiry.Count);
        foreach (var c in current)
        {
            var sample = Assert.Single(expiry, s => s.Labels["definition_id"] == c.Id.ToString());
            Assert.Equal(c.NotAfter.ToUnixTimeSeconds(), sample.Value);
            Assert.Equal(c.Name, sample.Labels["definition_name"]);
            Assert.Equal(c.SerialNumber, sample.Labels["serial"]);
            Assert.Equal(c.Sha1, sample.Labels["thumbprint"]);
        }

        var monitor = await WithDbAsync(sp => sp.GetRequiredService<CertMgrDbContext>().Definitions.Where(d => d.MonitorStatus != null)
            .Select(d => new { d.Id, d.MonitorStatus }).ToListAsync());
        foreach (var (status, label) in new[] { (CheckStatus.Ok, "OK"), (CheckStatus.Ng, "NG"), (CheckStatus.Unreachable, "Unreachable") })
        {
            Assert.Equal(monitor.Count(m => m.MonitorStatus == status),
                Assert.Single(samples, s => s.Name == "certmgr_monitor_definitions" && s.Labels["status"] == label).Value);
        }

        Assert.Equal(monitor.Count, samples.Count(s => s.Name == "certmgr_monitor_last_result"));
        Assert.Equal(2, Assert.Single(samples, s => s.Name == "certmgr_emails_failed").Value);
        var open = await WithDbAsync(sp => sp.GetRequiredService<CertMgrDbContext>().Requests
            .CountAsync(r => r.Status != RequestStatus.Completed && r.Status != RequestStatus.Cancelled));
        Assert.Equal(open, samples.Where(s => s.Name == "certmgr_acquisitions_open").Sum(s => s.Value));
        var interrupted = await WithDbAsync(sp => sp.GetRequiredService<CertMgrDbContext>().UnattendedStates.CountAsync(u => u.InterruptedAt != null));
        Assert.Equal(interrupted, Assert.Single(samples, s => s.Name == "certmgr_unattended_interrupted").Value);
        Assert.Single(samples, s => s.Name == "certmgr_monitor_pass_duration_seconds");
        Assert.Single(samples, s => s.Name == "certmgr_discovery_scan_duration_seconds");
    }

    [Fact]
    public async Task HealthAndReady_Running_200Json()
    {
        using var client = _server.Anonymous();

        using var health = await client.GetAsync("/healthz");
        using var ready = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ready", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks");
        Assert.Equal("ok", checks.GetProperty("database").GetString());
        Assert.Equal("ok", checks.GetProperty("migrations").GetString());
        Assert.Equal("ok", checks.GetProperty("ca").GetString());
    }

    [Fact]
    public async Task Readyz_DatabaseGone_503ThenBackTo200()
    {
        using var client = _server.Anonymous();
        var settings = _server.Services.GetRequiredService<Core.Setup.CertMgrSettings>();
        var dbDir = settings.Home.DatabaseDirectory;
        var aside = dbDir + ".aside";

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Move(dbDir, aside);
        await File.WriteAllTextAsync(dbDir, "not a directory");
        HttpStatusCode gone;
        string goneBody;
        try
        {
            using var response = await client.GetAsync("/readyz");
            gone = response.StatusCode;
            goneBody = await response.Content.ReadAsStringAsync();
            using var health = await client.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        finally
        {
            File.Delete(dbDir);
            Directory.Move(aside, dbDir);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        using var back = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, gone);
        var body = JsonDocument.Parse(goneBody).RootElement;
        Assert.Equal("not-ready", body.GetProperty("status").GetString());
        Assert.Equal("unreachable", body.GetProperty("checks").GetProperty("database").GetString());
        Assert.DoesNotContain(dbDir, goneBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    [Theory]
    [InlineData(null, "127.0.0.1", true)]
    [InlineData("loopback", "127.0.0.2", true)]
    [InlineData("loopback", "::1", true)]
    [InlineData("loopback", "::ffff:127.0.0.1", true)]
    [InlineData("loopback", "192.0.2.10", false)]
    [InlineData("any", "192.0.2.10", true)]
    [InlineData("none", "127.0.0.1", false)]
    [InlineData("bogus", "127.0.0.1", false)]
    public void AllowsAnonymous_Setting_LoopbackOnlyByDefault(string? setting, string remote, bool expected) =>
        Assert.Equal(expected, ObservabilityEndpoints.AllowsAnonymous(ObservabilityEndpoints.ParseAccess(setting), IPAddress.Parse(remote)));

    [Fact]
    public void Escape_QuotesBackslashesNewlines_Escaped() =>
        Assert.Equal("a\\\"b\\\\c\\nd", PrometheusText.Escape("a\"b\\c\nd"));

    private async Task<T> WithDbAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = _server.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    private sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    /// <summary>A strict reader of the text format: every sample's family has HELP and TYPE first, labels are well quoted.</summary>
    private static List<Sample> Parse(string text)
    {
        var typed = new HashSet<string>(StringComparer.Ordinal);
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                Assert.True(typed.Add(line.Split(' ')[2]), $"TYPE twice: {line}");
                continue;
            }

            if (line.StartsWith('#'))
            {
                Assert.StartsWith("# HELP ", line, StringComparison.Ordinal);
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a sample line: {line}");
            var name = match.Groups["name"].Value;
            Assert.Contains(name, typed);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelPair().Matches(match.Groups["labels"].Value))
            {
                labels.Add(label.Groups[1].Value, Regex.Unescape(label.Groups[2].Value));
            }

            samples.Add(new Sample(name, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }

        return samples;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:\\.|[^""\\])*)""")]
    private static partial Regex LabelPair();
}
