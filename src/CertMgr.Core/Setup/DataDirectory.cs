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

    /// <summary>
    /// The mode the data directory had when <see cref="EnsureLayout"/> found it open to group or others and made it
    /// owner-only; null when it needed no change. Logged at start.
    /// </summary>
    public UnixFileMode? TightenedFrom { get; private set; }

    /// <summary>
    /// Creates every folder of the layout and a commented configuration file, owner-only (700 folders, 600 files):
    /// the data directory holds the database, keys and documents. An existing data directory open to group or others
    /// is made owner-only too (see <see cref="TightenedFrom"/>).
    /// </summary>
    public void EnsureLayout()
    {
        if (!OperatingSystem.IsWindows() && Directory.Exists(Root))
        {
            var mode = File.GetUnixFileMode(Root);
            if ((mode & GroupOrOthers) != 0)
            {
                File.SetUnixFileMode(Root, OwnerOnlyDirectory);
                TightenedFrom = mode;
            }
        }

        CreateDirectory(Root);
        foreach (var dir in new[] { DatabaseDirectory, DocumentsDirectory, CaDirectory, TrustedCasDirectory, SystemListDirectory })
        {
            CreateDirectory(dir);
        }

        if (!File.Exists(ConfigPath))
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnlyFile;
            }

            using var writer = new StreamWriter(ConfigPath, options);
            writer.Write(DefaultConfig);
        }
    }

    /// <summary>Makes existing files owner-only (600), e.g. the SQLite database and its -wal/-shm files after opening.</summary>
    public static void RestrictFiles(params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var path in paths.Where(File.Exists))
        {
            if ((File.GetUnixFileMode(path) & GroupOrOthers) != 0)
            {
                File.SetUnixFileMode(path, OwnerOnlyFile);
            }
        }
    }

    public const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static void CreateDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerOnlyDirectory);
        }
    }

    // JSON with comments: .NET's configuration reader accepts them.
    private const string DefaultConfig = """
        {
          // Addresses the console and API listen on (HTTPS with a certificate from the built-in CA).
          // Overridden by CERTMGR_URLS or `certmgr serve --urls`.
          "Urls": "https://127.0.0.1:23466",

          // Where people reach the console, for links in emails (e.g. "https://certmgr.example.com"). Empty: the
          // first https listen URL. Links are never built from a request's Host header. Overridden by
          // CERTMGR_EXTERNAL_BASE_URL.
          "ExternalBaseUrl": "",

          // Extra host names the console answers to (';'-separated), besides ExternalBaseUrl's and the listen URLs'
          // hosts; requests for any other Host get 400. Overridden by CERTMGR_ALLOWED_HOSTS.
          "AllowedHosts": "",

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
