using CertMgr.Core.Setup;
using CertMgr.Data;

namespace CertMgr.Core.Tests.Setup;

public sealed class CertMgrSettingsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "certmgr-settings-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, true);
        }
    }

    [Fact]
    public void Resolve_NothingConfigured_SqliteInHomeAndDefaultUrl()
    {
        var s = CertMgrSettings.Resolve(_root, null, _ => null);

        Assert.Equal(Path.GetFullPath(_root), s.Home.Root);
        Assert.Equal(DatabaseKind.Sqlite, s.Database.Kind);
        Assert.Contains(Path.Combine(_root, "db", "certmgr.db"), s.Database.ConnectionString, StringComparison.Ordinal);
        Assert.Equal(new Uri("https://127.0.0.1:23466"), Assert.Single(s.Urls));
    }

    [Fact]
    public void Resolve_Precedence_CommandLineOverEnvironmentOverConfigFile()
    {
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "certmgr.json"), """{ "Urls": "https://127.0.0.1:1111", "Database": "Host=file;Database=x" }""");
        var env = new Dictionary<string, string?> { ["CERTMGR_URLS"] = "https://127.0.0.1:2222", ["CERTMGR_HOME"] = "/nonexistent" };

        var fromFile = CertMgrSettings.Resolve(_root, null, _ => null);
        var fromEnv = CertMgrSettings.Resolve(_root, null, k => env.GetValueOrDefault(k));
        var fromCli = CertMgrSettings.Resolve(_root, "https://127.0.0.1:3333", k => env.GetValueOrDefault(k));

        Assert.Equal(1111, fromFile.Urls[0].Port);
        Assert.Equal(DatabaseKind.Postgres, fromFile.Database.Kind);
        Assert.Equal(2222, fromEnv.Urls[0].Port);
        Assert.Equal(3333, fromCli.Urls[0].Port);
        Assert.Equal(Path.GetFullPath(_root), fromCli.Home.Root); // --home beats CERTMGR_HOME
    }

    [Fact]
    public void Resolve_HomeFromEnvironment_WhenNoOption()
    {
        var s = CertMgrSettings.Resolve(null, null, k => k == "CERTMGR_HOME" ? _root : null);
        Assert.Equal(Path.GetFullPath(_root), s.Home.Root);
    }

    [Fact]
    public void Resolve_PostgresUriFromEnvironment_ParsedAndPasswordRedacted()
    {
        var s = CertMgrSettings.Resolve(_root, null, k => k == "CERTMGR_DB" ? "postgres://cm:s3cret@127.0.0.1:5433/certmgr" : null);

        Assert.Equal(DatabaseKind.Postgres, s.Database.Kind);
        Assert.Contains("Port=5433", s.Database.ConnectionString, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", s.Database.Redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("https://127.0.0.1:1/path")]
    public void Resolve_BadUrl_ClearSettingsError(string url)
    {
        var ex = Assert.Throws<SettingsException>(() => CertMgrSettings.Resolve(_root, url, _ => null));
        Assert.Contains("listen URL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_UnknownDatabaseString_ClearSettingsError()
    {
        var ex = Assert.Throws<SettingsException>(() => CertMgrSettings.Resolve(_root, null, k => k == "CERTMGR_DB" ? "mysql:whatever" : null));
        Assert.Contains("PostgreSQL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureLayout_NewDirectory_CreatesDesignLayoutOwnerOnly()
    {
        var home = new DataDirectory(_root);
        home.EnsureLayout();

        foreach (var dir in new[] { "db", "docs", "ca", "trusted-cas/system-list" })
        {
            Assert.True(Directory.Exists(Path.Combine(_root, dir)), dir);
        }

        Assert.True(File.Exists(home.ConfigPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_root));
    }

    [Fact]
    public void Resolve_ExternalBaseUrl_EnvironmentOverConfigFileDefaultFromHttpsListenUrl()
    {
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "certmgr.json"), """{ "Urls": "http://127.0.0.1:1080;https://127.0.0.1:1443", "ExternalBaseUrl": "https://file.example.test", "AllowedHosts": "a.example.test;b.example.test" }""");
        var env = new Dictionary<string, string?> { ["CERTMGR_EXTERNAL_BASE_URL"] = "https://env.example.test:8443" };

        var fromFile = CertMgrSettings.Resolve(_root, null, _ => null);
        var fromEnv = CertMgrSettings.Resolve(_root, null, k => env.GetValueOrDefault(k));
        File.WriteAllText(Path.Combine(_root, "certmgr.json"), """{ "Urls": "http://127.0.0.1:1080;https://127.0.0.1:1443" }""");
        var derived = CertMgrSettings.Resolve(_root, null, _ => null);

        Assert.Equal(new Uri("https://file.example.test/"), fromFile.EffectiveExternalBaseUrl);
        Assert.Equal(["a.example.test", "b.example.test"], fromFile.ExtraAllowedHosts);
        Assert.Equal(new Uri("https://env.example.test:8443/"), fromEnv.EffectiveExternalBaseUrl);
        Assert.Null(derived.ExternalBaseUrl);
        Assert.Equal(new Uri("https://127.0.0.1:1443/"), derived.EffectiveExternalBaseUrl);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://files.example.test")]
    [InlineData("https://x.example.test/?q=1")]
    public void Resolve_BadExternalBaseUrl_SettingsException(string value)
    {
        Assert.Throws<SettingsException>(() => CertMgrSettings.Resolve(_root, null, k => k == "CERTMGR_EXTERNAL_BASE_URL" ? value : null));
    }
}
