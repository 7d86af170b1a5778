namespace CertMgr.Core.Setup;

/// <summary>
/// The data directory (<c>CERTMGR_HOME</c>) and its layout: <c>db/</c>, <c>docs/</c>, <c>ca/</c>,
/// <c>trusted-cas/system-list/</c>, <c>master.key</c>, <c>certmgr.json</c>, <c>ip_acl.txt</c>, <c>certmap.txt</c>.
/// </summary>
public sealed class DataDirectory
{
    public const string ConfigFileName = "certmgr.json";
    public const string InitialPasswordFileName = "initial-admin-password.txt";

    public DataDirectory(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }
    public string DatabaseDirectory => Path.Combine(Root, "db");
    public string SqliteDatabasePath => Path.Combine(DatabaseDirectory, "certmgr.db");
    public string DocumentsDirectory => Path.Combine(Root, "docs");
    public string CaDirectory => Path.Combine(Root, "ca");
    public string TrustedCasDirectory => Path.Combine(Root, "trusted-cas");
    public string SystemListDirectory => Path.Combine(TrustedCasDirectory, "system-list");
    public string MasterKeyPath => Path.Combine(Root, Data.Secrets.MasterKeyFile.FileName);
    public string ConfigPath => Path.Combine(Root, ConfigFileName);
    public string InitialPasswordPath => Path.Combine(Root, InitialPasswordFileName);
    public string IpAclPath => Path.Combine(Root, "ip_acl.txt");
    public string CertMapPath => Path.Combine(Root, "certmap.txt");

    /// <summary>The private CA's certificate as PEM, for people and for trust stores.</summary>
    public string CaCertificatePath => Path.Combine(CaDirectory, "ca-cert.pem");

    /// <summary>The same certificate, offered as a file of the system collection (guide 3.7).</summary>
    public string CaSystemListPath => Path.Combine(SystemListDirectory, "certmgr-private-ca.pem");

    /// <summary>Whether the directory already holds a CertMgr installation.</summary>
    public bool IsInitialized => File.Exists(MasterKeyPath);

    /// <summary>Creates every folder of the layout (owner-only at the top) and a commented configuration file.</summary>
    public void EnsureLayout()
    {
        CreateDirectory(Root, ownerOnly: true);
        foreach (var dir in new[] { DatabaseDirectory, DocumentsDirectory, CaDirectory, TrustedCasDirectory, SystemListDirectory })
        {
            CreateDirectory(dir, ownerOnly: false);
        }

        if (!File.Exists(ConfigPath))
        {
            File.WriteAllText(ConfigPath, DefaultConfig);
        }
    }

    private static void CreateDirectory(string path, bool ownerOnly)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        else
        {
            Directory.CreateDirectory(path);
        }
    }

    // JSON with comments: .NET's configuration reader accepts them.
    private const string DefaultConfig = """
        {
          // Addresses the console and API listen on (HTTPS with a certificate from the built-in CA).
          // Overridden by CERTMGR_URLS or `certmgr serve --urls`.
          "Urls": "https://127.0.0.1:23466",

          // Database. Empty: embedded SQLite in db/certmgr.db. For PostgreSQL, a connection string such as
          // "Host=db.example.com;Port=5432;Username=certmgr;Password=...;Database=certmgr".
          // Overridden by CERTMGR_DB.
          "Database": "",

          // Optional plain-HTTP listener that serves only the private CA's /pki/ca.crt, /pki/ca.pem and /pki/ca.crl,
          // e.g. "http://127.0.0.1:23467". When set, issued certificates point their CRL distribution point and
          // caIssuers URL at it unless the PrivateCa section below lists its own URLs.
          "PkiHttpUrl": "",

          "PrivateCa": {
            // URLs put in every issued certificate (empty: none, or the PkiHttpUrl defaults above).
            "CrlDistributionPoints": [],
            "CaIssuersUrls": [],
            "OcspUrls": [],
            // Longest validity the CA signs; never beyond the CA's own certificate.
            "MaxServerValidityDays": 397,
            "MaxClientValidityDays": 397,
            // Days until a CRL's next update.
            "CrlValidityDays": 7
          },

          "Logging": {
            "LogLevel": {
              "Default": "Information",
              "Microsoft.AspNetCore": "Warning",
              "Microsoft.EntityFrameworkCore": "Warning"
            }
          }
        }

        """;
}
