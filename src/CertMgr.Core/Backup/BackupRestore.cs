using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using CertMgr.Core.Common;
using CertMgr.Core.Setup;

namespace CertMgr.Core.Backup;

/// <summary>
/// <c>certmgr restore FILE --home DIR</c>: decrypts a backup beside the target, checks every entry against the
/// manifest, and only then moves the result into place (owner-only). A wrong passphrase, a changed file or a missing
/// entry leaves the target untouched. PostgreSQL backups are loaded with pg_restore into the given database.
/// </summary>
public static class BackupRestore
{
    /// <param name="backupFile">The encrypted backup.</param>
    /// <param name="passphrase">Its passphrase.</param>
    /// <param name="targetHome">The data directory to create: absent or empty, unless <paramref name="force"/>.</param>
    /// <param name="force">Restore over a non-empty directory, which is first moved aside to <c>DIR.replaced-N</c>.</param>
    /// <param name="postgresConnection">For a PostgreSQL backup: the (empty) database to load it into.</param>
    /// <param name="ct">Cancellation.</param>
    public static async Task<Result<BackupSummary>> RestoreAsync(
        string backupFile, string passphrase, string targetHome, bool force, string? postgresConnection, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backupFile);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetHome);
        if (string.IsNullOrEmpty(passphrase))
        {
            return Result<BackupSummary>.Failure("backup.passphrase", "A passphrase is needed to open the backup.");
        }

        if (!File.Exists(backupFile))
        {
            return Error.NotFound("backup.file", $"{backupFile} does not exist.");
        }

        var target = Path.GetFullPath(targetHome).TrimEnd(Path.DirectorySeparatorChar);
        var occupied = Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any();
        if (File.Exists(target) || (occupied && !force))
        {
            return Error.Conflict("backup.target", $"{target} is not empty; restore into a new or empty directory, or add --force (the existing one is moved aside).");
        }

        if (Path.GetDirectoryName(target) is not { } parent)
        {
            return Result<BackupSummary>.Failure("backup.target", $"{target} cannot be a data directory.");
        }

        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, ".certmgr-restore-" + Guid.NewGuid().ToString("N"));
        BackupService.CreatePrivateDirectory(staging);
        try
        {
            var tarPath = Path.Combine(staging, "backup.tar");
            await using (var input = File.OpenRead(backupFile))
            await using (var plain = BackupService.CreatePrivateFile(tarPath))
            {
                var decrypted = await BackupCipher.DecryptAsync(input, plain, passphrase, ct);
                if (!decrypted.IsSuccess)
                {
                    return decrypted.Error;
                }
            }

            var tree = Path.Combine(staging, "home");
            BackupService.CreatePrivateDirectory(tree);
            var extracted = await ExtractAsync(tarPath, tree, ct);
            File.Delete(tarPath);
            if (!extracted.IsSuccess)
            {
                return extracted.Error;
            }

            var manifest = extracted.Value;
            if (manifest.Database == "postgres")
            {
                if (string.IsNullOrWhiteSpace(postgresConnection))
                {
                    return Result<BackupSummary>.Failure("backup.database", "This backup holds a PostgreSQL database: give --database with the connection string of an empty database to load it into.");
                }

                var dump = Path.Combine(tree, BackupManifest.PostgresEntry);
                var loaded = await PostgresTools.RestoreAsync(postgresConnection, dump, ct);
                if (!loaded.IsSuccess)
                {
                    return loaded.Error;
                }

                File.Delete(dump);
            }
            else if (!string.IsNullOrWhiteSpace(postgresConnection))
            {
                return Result<BackupSummary>.Failure("backup.database", "This backup holds a SQLite database; --database applies to PostgreSQL backups only.");
            }

            Restrict(tree);
            if (Directory.Exists(target))
            {
                if (occupied)
                {
                    var aside = target + ".replaced-" + Guid.NewGuid().ToString("N")[..8];
                    Directory.Move(target, aside);
                }
                else
                {
                    Directory.Delete(target);
                }
            }

            Directory.Move(tree, target);
            return new BackupSummary(target, manifest.Database, manifest.Entries.Count, manifest.Entries.Sum(e => e.Size));
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    private static async Task<Result<BackupManifest>> ExtractAsync(string tarPath, string tree, CancellationToken ct)
    {
        var hashes = new Dictionary<string, (long Size, string Sha256)>(StringComparer.Ordinal);
        BackupManifest? manifest = null;
        await using var file = File.OpenRead(tarPath);
        await using var reader = new TarReader(file);
        try
        {
            while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
            {
                if (entry.EntryType != TarEntryType.RegularFile || entry.DataStream is null)
                {
                    return Damaged($"unexpected entry {entry.Name}");
                }

                if (entry.Name == BackupManifest.EntryName)
                {
                    manifest = await JsonSerializer.DeserializeAsync<BackupManifest>(entry.DataStream, cancellationToken: ct);
                    continue;
                }

                var destination = Path.GetFullPath(Path.Combine(tree, entry.Name));
                if (Path.IsPathRooted(entry.Name) || !destination.StartsWith(tree + Path.DirectorySeparatorChar, StringComparison.Ordinal) || hashes.ContainsKey(entry.Name))
                {
                    return Damaged($"unsafe or repeated entry {entry.Name}");
                }

                CreateDirectories(tree, Path.GetDirectoryName(destination)!);
                await using (var output = BackupService.CreatePrivateFile(destination))
                using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    var buffer = new byte[81920];
                    long size = 0;
                    int n;
                    while ((n = await entry.DataStream.ReadAsync(buffer, ct)) > 0)
                    {
                        sha.AppendData(buffer, 0, n);
                        await output.WriteAsync(buffer.AsMemory(0, n), ct);
                        size += n;
                    }

                    hashes[entry.Name] = (size, Convert.ToHexStringLower(sha.GetHashAndReset()));
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or FormatException)
        {
            return Damaged("the archive cannot be read");
        }

        if (manifest is null || manifest.Format != BackupManifest.CurrentFormat || manifest.Entries is null)
        {
            return Damaged("no manifest");
        }

        var expected = manifest.Entries.ToDictionary(e => e.Path, StringComparer.Ordinal);
        if (expected.Count != hashes.Count ||
            manifest.Entries.Any(e => !hashes.TryGetValue(e.Path, out var got) || got.Size != e.Size || got.Sha256 != e.Sha256))
        {
            return Damaged("an entry does not match the manifest");
        }

        var databaseEntry = manifest.Database == "postgres" ? BackupManifest.PostgresEntry : BackupManifest.SqliteEntry;
        if (!hashes.ContainsKey(databaseEntry) || !hashes.ContainsKey(Data.Secrets.MasterKeyFile.FileName))
        {
            return Damaged("the database or the master key is missing");
        }

        return manifest;
    }

    private static Error Damaged(string why) =>
        new("backup.tampered", $"The backup is damaged or incomplete ({why}); nothing was restored.");

    private static void CreateDirectories(string tree, string directory)
    {
        var relative = Path.GetRelativePath(tree, directory);
        var current = tree;
        foreach (var part in relative.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            current = Path.Combine(current, part);
            if (!Directory.Exists(current))
            {
                BackupService.CreatePrivateDirectory(current);
            }
        }
    }

    /// <summary>Owner-only permissions throughout the restored tree (700 folders, 600 files).</summary>
    private static void Restrict(string tree)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(tree, DataDirectory.OwnerOnlyDirectory);
        foreach (var dir in Directory.EnumerateDirectories(tree, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(dir, DataDirectory.OwnerOnlyDirectory);
        }

        foreach (var file in Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, DataDirectory.OwnerOnlyFile);
        }
    }
}
