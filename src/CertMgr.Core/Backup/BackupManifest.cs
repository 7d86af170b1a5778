using System.Text.Json.Serialization;

namespace CertMgr.Core.Backup;

/// <summary>
/// The last entry of a backup's archive (<c>manifest.json</c>): what was backed up and the SHA-256 of every entry,
/// checked on restore before anything reaches the target directory.
/// </summary>
public sealed record BackupManifest(
    [property: JsonPropertyName("format")] int Format,
    [property: JsonPropertyName("certmgrVersion")] string CertMgrVersion,
    [property: JsonPropertyName("createdAt")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("database")] string Database,
    [property: JsonPropertyName("entries")] IReadOnlyList<BackupEntry> Entries)
{
    public const string EntryName = "manifest.json";
    public const int CurrentFormat = 1;
    public const string SqliteEntry = "db/certmgr.db";
    public const string PostgresEntry = "db/certmgr.pgdump";
}

/// <summary>One file of a backup: its path relative to the data directory, size and SHA-256 (lower-case hex).</summary>
public sealed record BackupEntry(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("sha256")] string Sha256);

/// <summary>What a backup or restore did.</summary>
public sealed record BackupSummary(string File, string Database, int Files, long Bytes);
