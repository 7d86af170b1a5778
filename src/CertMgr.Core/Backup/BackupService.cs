using System.Formats.Tar;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using CertMgr.Core.Common;
using CertMgr.Core.Setup;
using CertMgr.Data;
using Microsoft.Data.Sqlite;

namespace CertMgr.Core.Backup;

/// <summary>
/// <c>certmgr backup</c>: a consistent snapshot of a data directory while the server runs — the database (SQLite's
/// online backup API, or pg_dump), documents, the CA with its keys, trusted CA sets, the master key, and the
/// configuration files — as one tar archive with a SHA-256 manifest, encrypted by <see cref="BackupCipher"/>.
/// </summary>
public sealed class BackupService(CertMgrSettings settings, TimeProvider time)
{
    /// <summary>Files at the top of the data directory that are backed up when present.</summary>
    private static readonly string[] TopFiles = [Data.Secrets.MasterKeyFile.FileName, DataDirectory.ConfigFileName, "ip_acl.txt", "certmap.txt"];

    /// <summary>Folders backed up whole.</summary>
    private static readonly string[] Folders = ["ca", "docs", "trusted-cas"];

    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true };

    public async Task<Result<BackupSummary>> CreateAsync(string outputPath, string passphrase, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        var check = BackupCipher.CheckPassphrase(passphrase);
        if (!check.IsSuccess)
        {
            return check.Error;
        }

        var output = Path.GetFullPath(outputPath);
        if (File.Exists(output) || Directory.Exists(output))
        {
            return Error.Conflict("backup.exists", $"{output} already exists; choose a new file name.");
        }

        if (Path.GetDirectoryName(output) is not { } parent || !Directory.Exists(parent))
        {
            return Result<BackupSummary>.Failure("backup.out", $"The folder of {output} does not exist.");
        }

        var home = settings.Home;
        if (!home.IsInitialized)
        {
            return Error.NotFound("backup.home", $"There is no CertMgr data directory at {home.Root}.");
        }

        // Staging inside the data directory: it holds nothing the data directory does not already hold in clear, and
        // it has the same owner-only permissions.
        var staging = Path.Combine(home.Root, ".backup-" + Guid.NewGuid().ToString("N"));
        CreatePrivateDirectory(staging);
        var partial = output + ".partial";
        try
        {
            var dbEntry = await SnapshotDatabaseAsync(staging, ct);
            if (!dbEntry.IsSuccess)
            {
                return dbEntry.Error;
            }

            var tarPath = Path.Combine(staging, "backup.tar");
            var entries = new List<BackupEntry>();
            await using (var tarFile = CreatePrivateFile(tarPath))
            await using (var tar = new TarWriter(tarFile, TarEntryFormat.Pax, leaveOpen: false))
            {
                entries.Add(await AddStableFileAsync(tar, dbEntry.Value.File, dbEntry.Value.Name, ct));
                foreach (var name in TopFiles)
                {
                    var path = Path.Combine(home.Root, name);
                    if (File.Exists(path))
                    {
                        entries.Add(await AddFileAsync(tar, path, name, ct));
                    }
                }

                foreach (var folder in Folders)
                {
                    var root = Path.Combine(home.Root, folder);
                    if (!Directory.Exists(root))
                    {
                        continue;
                    }

                    foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                    {
                        entries.Add(await AddFileAsync(tar, file, Path.GetRelativePath(home.Root, file).Replace('\\', '/'), ct));
                    }
                }

                var manifest = new BackupManifest(BackupManifest.CurrentFormat, Version, time.GetUtcNow(),
                    settings.Database.Kind == DatabaseKind.Postgres ? "postgres" : "sqlite", entries);
                var json = JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJson);
                var entry = new PaxTarEntry(TarEntryType.RegularFile, BackupManifest.EntryName) { DataStream = new MemoryStream(json) };
                await tar.WriteEntryAsync(entry, ct);
            }

            await using (var plain = File.OpenRead(tarPath))
            await using (var sealedFile = CreatePrivateFile(partial))
            {
                await BackupCipher.EncryptAsync(plain, sealedFile, passphrase, ct);
                await sealedFile.FlushAsync(ct);
                sealedFile.Flush(flushToDisk: true);
            }

            File.Move(partial, output);
            return new BackupSummary(output, settings.Database.Kind == DatabaseKind.Postgres ? "postgres" : "sqlite",
                entries.Count, entries.Sum(e => e.Size));
        }
        finally
        {
            File.Delete(partial);
            Directory.Delete(staging, recursive: true);
        }
    }

    private static string Version =>
        typeof(BackupService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private async Task<Result<(string File, string Name)>> SnapshotDatabaseAsync(string staging, CancellationToken ct)
    {
        if (settings.Database.Kind == DatabaseKind.Postgres)
        {
            var dump = Path.Combine(staging, "certmgr.pgdump");
            var dumped = await PostgresTools.DumpAsync(settings.Database.ConnectionString, dump, ct);
            return dumped.IsSuccess ? (dump, BackupManifest.PostgresEntry) : dumped.Error;
        }

        var copy = Path.Combine(staging, "certmgr.db");
        // The online backup API copies a consistent snapshot while writers go on (they wait, or the copy restarts).
        await using (var source = new SqliteConnection(settings.Database.ConnectionString))
        await using (var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString()))
        {
            await source.OpenAsync(ct);
            await target.OpenAsync(ct);
            source.BackupDatabase(target);
        }

        DataDirectory.RestrictFiles(copy);
        return (copy, BackupManifest.SqliteEntry);
    }

    /// <summary>A file nobody else writes (the database snapshot in staging): hashed, then streamed, never held in memory.</summary>
    private static async Task<BackupEntry> AddStableFileAsync(TarWriter tar, string path, string name, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        stream.Position = 0;
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = stream, Mode = DataDirectory.OwnerOnlyFile };
        await tar.WriteEntryAsync(entry, ct);
        return new BackupEntry(name, stream.Length, hash);
    }

    /// <summary>A live file (documents are at most 10 MB, CA and configuration files smaller).</summary>
    private static async Task<BackupEntry> AddFileAsync(TarWriter tar, string path, string name, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        // One read of a private copy: the hash is of exactly the bytes archived even if the file changes meanwhile.
        var content = new MemoryStream();
        await stream.CopyToAsync(content, ct);
        content.Position = 0;
        var hash = Convert.ToHexStringLower(SHA256.HashData(content.GetBuffer().AsSpan(0, (int)content.Length)));
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = content, Mode = DataDirectory.OwnerOnlyFile };
        await tar.WriteEntryAsync(entry, ct);
        return new BackupEntry(name, content.Length, hash);
    }

    internal static FileStream CreatePrivateFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = DataDirectory.OwnerOnlyFile;
        }

        return new FileStream(path, options);
    }

    internal static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, DataDirectory.OwnerOnlyDirectory);
        }
    }
}
