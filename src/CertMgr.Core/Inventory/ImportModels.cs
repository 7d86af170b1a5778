using System.Text.Json.Serialization;
using CertMgr.Core.Common;
using CertMgr.Data.Model;

namespace CertMgr.Core.Inventory;

/// <summary>One input file: its name (for the report) and content, or the error met while reading it from disk.</summary>
public sealed record ImportFile(string Name, byte[] Content)
{
    /// <summary>Set when the file could not even be read (too large, unreadable); it is reported as failed.</summary>
    public Error? ReadError { get; init; }

    public static ImportFile Unreadable(string name, Error error) => new(name, []) { ReadError = error };
}

/// <summary>
/// How to import: the operation mode of the new definitions, the passwords to try on encrypted files, and the
/// password of a private key encrypted under another password than its file (PKCS#12 key bag, JKS key entry).
/// </summary>
public sealed record ImportSettings(OperationMode Mode, IReadOnlyList<string>? Passwords = null, string? KeyPassword = null)
{
    public int MaxBytes { get; init; } = Pki.Reading.ReadOptions.DefaultMaxBytes;
}

[JsonConverter(typeof(JsonStringEnumConverter<ImportStatus>))]
public enum ImportStatus
{
    /// <summary>A new definition (and certificate) was created.</summary>
    Imported,

    /// <summary>The certificate was already in the inventory; nothing new was created (its key may have been added).</summary>
    Duplicate,

    /// <summary>The file was used to complete another file: its private key or its CA certificates (Apache-style set).</summary>
    Companion,

    Failed,
}

/// <summary>What happened to one file.</summary>
public sealed record ImportFileOutcome(
    string File,
    ImportStatus Status,
    string Message,
    string? Code = null,
    Guid? DefinitionId = null,
    Guid? CertificateId = null,
    string? CommonName = null,
    string? Sha256 = null,
    DateTimeOffset? NotAfter = null,
    bool HasPrivateKey = false,
    bool KeyAttached = false);

/// <summary>The outcome of an import: counts and one outcome per file, in input order.</summary>
public sealed record ImportSummary(int Imported, int Duplicates, int Companions, int Failed, IReadOnlyList<ImportFileOutcome> Files)
{
    public static ImportSummary Of(IReadOnlyList<ImportFileOutcome> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        return new ImportSummary(
            files.Count(f => f.Status == ImportStatus.Imported),
            files.Count(f => f.Status == ImportStatus.Duplicate),
            files.Count(f => f.Status == ImportStatus.Companion),
            files.Count(f => f.Status == ImportStatus.Failed),
            files);
    }
}
