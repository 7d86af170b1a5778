using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Common;
using CertMgr.Core.Pki;
using CertMgr.Core.Pki.Reading;
using CertMgr.Core.PrivateCa;
using CertMgr.Data;
using CertMgr.Data.Model;
using CertMgr.Data.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Inventory;

/// <summary>
/// Imports existing certificates (guide 2.7, 4.3.1): each file in any format the reader knows becomes a definition
/// and a certificate (current for lifecycle-managed imports), with its private key sealed when the file holds it.
/// Files of an Apache-style set (certificate, key file, chain file) are matched up within the batch. A certificate
/// already in the inventory is never stored twice; when it comes again with its key, the key is attached.
/// </summary>
/// <remarks>
/// Built for bulk: files are read first, then each chunk costs one query for known certificates, one for known keys,
/// one SaveChanges (definition, certificate, key and history rows) and one UPDATE that sets the current certificates.
/// </remarks>
public sealed partial class ImportService(CertMgrDbContext db, SecretProtector protector, TimeProvider time, ILogger<ImportService> logger)
{
    public const int ChunkSize = 500;

    /// <summary>Bounds the certificate × key-file trials of Apache-style matching in one chunk.</summary>
    private const int MaxPairingTrials = 20_000;

    public async Task<ImportSummary> ImportAsync(IEnumerable<ImportFile> files, ImportSettings settings, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(settings);
        var outcomes = new List<ImportFileOutcome>();
        foreach (var chunk in files.Chunk(ChunkSize))
        {
            outcomes.AddRange(await ImportChunkAsync(chunk, settings, actor, ct));
        }

        var summary = ImportSummary.Of(outcomes);
        LogImported(logger, summary.Imported, summary.Duplicates, summary.Failed, actor);
        return summary;
    }

    private async Task<ImportFileOutcome[]> ImportChunkAsync(ImportFile[] files, ImportSettings settings, string actor, CancellationToken ct)
    {
        var n = files.Length;
        var outcomes = new ImportFileOutcome?[n];
        var bundles = new CertificateBundle?[n];
        try
        {
            var keyFiles = ReadAll(files, settings, outcomes, bundles);
            Pair(files, settings, outcomes, bundles, keyFiles);
            await StoreAsync(files, settings, outcomes, bundles, actor, ct);
            return [.. outcomes.Select(o => o!)];
        }
        finally
        {
            foreach (var bundle in bundles)
            {
                bundle?.Dispose();
            }
        }
    }

    /// <summary>Reads every file; returns the indexes of files that hold only a private key (possible companions).</summary>
    private static List<int> ReadAll(ImportFile[] files, ImportSettings settings, ImportFileOutcome?[] outcomes, CertificateBundle?[] bundles)
    {
        // Parsing is pure and per file: all cores at once, results by index.
        var keyOnly = new bool[files.Length];
        Parallel.For(0, files.Length, i =>
        {
            if (files[i].ReadError is { } readError)
            {
                outcomes[i] = Failed(files[i], readError);
                return;
            }

            var read = Read(files[i].Content, settings, key: null, chain: null);
            if (read.IsSuccess)
            {
                bundles[i] = read.Value;
            }
            else if (read.Error.Code == ReadErrors.NoCertificate && read.Error.Message.Contains("private key", StringComparison.Ordinal))
            {
                keyOnly[i] = true;
            }
            else
            {
                outcomes[i] = Failed(files[i], read.Error);
            }
        });

        return [.. Enumerable.Range(0, files.Length).Where(i => keyOnly[i])];
    }

    /// <summary>
    /// Apache-style sets: CA-only files complete the chains of the certificates they issued, key-only files join
    /// the certificate they match. Used files are reported as companions; unused key files as failed.
    /// </summary>
    private static void Pair(ImportFile[] files, ImportSettings settings, ImportFileOutcome?[] outcomes, CertificateBundle?[] bundles, List<int> keyFiles)
    {
        var caFiles = Enumerable.Range(0, files.Length)
            .Where(i => bundles[i] is { PrivateKey: null } b && IsCa(b.Leaf) && Enumerable.Range(0, files.Length)
                .Any(j => j != i && bundles[j] is { } other && !IsCa(other.Leaf) && other.Leaf.IssuerName.RawData.AsSpan().SequenceEqual(b.Leaf.SubjectName.RawData)))
            .ToList();
        if (caFiles.Count == 0 && keyFiles.Count == 0)
        {
            return;
        }

        byte[]? chainPem = null;
        var caThumbprints = new Dictionary<string, int>(StringComparer.Ordinal);
        if (caFiles.Count > 0)
        {
            var pem = new StringBuilder();
            foreach (var i in caFiles)
            {
                foreach (var c in new[] { bundles[i]!.Leaf }.Concat(bundles[i]!.Chain))
                {
                    pem.Append(PemEncoding.WriteString("CERTIFICATE", c.RawData)).Append('\n');
                    caThumbprints.TryAdd(Thumbprints.Sha256(c), i);
                }
            }

            chainPem = Encoding.ASCII.GetBytes(pem.ToString());
        }

        var usedBy = new Dictionary<int, string>();
        var trials = 0;
        for (var j = 0; j < files.Length; j++)
        {
            if (bundles[j] is not { } bundle || caFiles.Contains(j))
            {
                continue;
            }

            var needsChain = chainPem is not null && !ChainComplete(bundle);
            var keyCandidates = bundle.PrivateKey is null ? keyFiles : [];
            if (!needsChain && keyCandidates.Count == 0)
            {
                continue;
            }

            var replacement = needsChain ? Read(files[j].Content, settings, key: null, chain: chainPem) : default;
            foreach (var k in keyCandidates)
            {
                if (++trials > MaxPairingTrials)
                {
                    break;
                }

                var withKey = Read(files[j].Content, settings, files[k].Content, needsChain ? chainPem : null);
                if (withKey.IsSuccess && withKey.Value.PrivateKey is not null)
                {
                    if (replacement.IsSuccess && replacement.Value is { } unused)
                    {
                        unused.Dispose();
                    }

                    replacement = withKey;
                    usedBy[k] = files[j].Name;
                    break;
                }

                if (withKey.IsSuccess)
                {
                    withKey.Value.Dispose();
                }
            }

            if (replacement.IsSuccess && replacement.Value is { } better)
            {
                bundle.Dispose();
                bundles[j] = better;
                foreach (var c in better.Chain)
                {
                    if (caThumbprints.TryGetValue(Thumbprints.Sha256(c), out var caFile))
                    {
                        usedBy.TryAdd(caFile, files[j].Name);
                    }
                }
            }
        }

        foreach (var i in caFiles)
        {
            if (usedBy.TryGetValue(i, out var user))
            {
                outcomes[i] = new ImportFileOutcome(files[i].Name, ImportStatus.Companion, $"CA certificates used as the chain of '{user}'.");
                bundles[i]!.Dispose();
                bundles[i] = null;
            }
        }

        foreach (var k in keyFiles)
        {
            outcomes[k] = usedBy.TryGetValue(k, out var user)
                ? new ImportFileOutcome(files[k].Name, ImportStatus.Companion, $"Private key of '{user}'.")
                : Failed(files[k], new Error(ReadErrors.NoCertificate, "The file holds a private key but no certificate, and no certificate in this import matches it."));
        }
    }

    private async Task StoreAsync(ImportFile[] files, ImportSettings settings, ImportFileOutcome?[] outcomes, CertificateBundle?[] bundles, string actor, CancellationToken ct)
    {
        var candidates = Enumerable.Range(0, files.Length).Where(i => bundles[i] is not null && outcomes[i] is null).ToList();
        if (candidates.Count == 0)
        {
            return;
        }

        var sha = new string[files.Length];
        var spki = new string?[files.Length];
        foreach (var i in candidates)
        {
            sha[i] = Thumbprints.Sha256(bundles[i]!.Leaf);
            spki[i] = bundles[i]!.PrivateKey is null ? null : Thumbprints.PublicKeySha256(bundles[i]!.Leaf);
        }

        var shas = candidates.Select(i => sha[i]).Distinct().ToList();
        var known = (await db.Certificates.AsNoTracking().Where(c => shas.Contains(c.Sha256))
                .Select(c => new Known(c.Sha256, c.Id, c.DefinitionId, c.Definition.Name, c.PrivateKeyId, c.NotAfter, c.CommonName))
                .ToListAsync(ct))
            .GroupBy(k => k.Sha256).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var spkis = candidates.Where(i => spki[i] is not null).Select(i => spki[i]!).Distinct().ToList();
        var keys = spkis.Count == 0
            ? new Dictionary<string, Guid>(StringComparer.Ordinal)
            : await db.PrivateKeys.AsNoTracking().Where(k => spkis.Contains(k.PublicKeySha256))
                .ToDictionaryAsync(k => k.PublicKeySha256, k => k.Id, StringComparer.Ordinal, ct);

        var now = time.GetUtcNow();
        var added = new Dictionary<string, (Certificate Certificate, CertificateDefinition Definition, int File)>(StringComparer.Ordinal);
        var newDefinitions = new List<Guid>();
        var keyAttachments = new List<(Guid CertificateId, Guid KeyId, Guid DefinitionId)>();
        var newRows = (Definitions: new List<CertificateDefinition>(), Certificates: new List<Certificate>(), Events: new List<AuditEvent>());
        foreach (var i in candidates)
        {
            var bundle = bundles[i]!;
            Guid? keyId = bundle.PrivateKey is null ? null : KeyFor(bundle, spki[i]!, keys, now);
            if (known.TryGetValue(sha[i], out var existing))
            {
                var attach = keyId is { } k && existing.PrivateKeyId is null && !keyAttachments.Any(a => a.CertificateId == existing.Id);
                if (attach)
                {
                    keyAttachments.Add((existing.Id, keyId!.Value, existing.DefinitionId));
                    DefinitionHistory.Record(db, now, actor, existing.DefinitionId, "import-key", $"Private key added from '{files[i].Name}'; the certificate is now re-deployable.");
                }

                outcomes[i] = new ImportFileOutcome(files[i].Name, ImportStatus.Duplicate,
                    attach
                        ? $"Already in the inventory (definition '{existing.DefinitionName}'); its private key was added, so it is now re-deployable."
                        : $"Already in the inventory (definition '{existing.DefinitionName}'); skipped.",
                    "duplicate", existing.DefinitionId, existing.Id, existing.CommonName, sha[i], existing.NotAfter,
                    existing.PrivateKeyId is not null || attach, attach);
                continue;
            }

            if (added.TryGetValue(sha[i], out var earlier))
            {
                var attach = keyId is not null && earlier.Certificate.PrivateKeyId is null;
                if (attach)
                {
                    earlier.Certificate.PrivateKeyId = keyId;
                }

                outcomes[i] = new ImportFileOutcome(files[i].Name, ImportStatus.Duplicate,
                    attach
                        ? $"The same certificate as '{files[earlier.File].Name}'; its private key was taken from this file."
                        : $"The same certificate as '{files[earlier.File].Name}'; skipped.",
                    "duplicate", earlier.Definition.Id, earlier.Certificate.Id, earlier.Certificate.CommonName, sha[i], earlier.Certificate.NotAfter,
                    earlier.Certificate.PrivateKeyId is not null, attach);
                continue;
            }

            var definition = InventoryRecords.NewDefinitionFrom(bundle.Leaf, settings.Mode, now);
            var certificate = InventoryRecords.NewCertificate(bundle.Leaf, bundle.Chain, definition.Id, CertificateSource.Imported, now, keyId);
            newRows.Definitions.Add(definition);
            newRows.Certificates.Add(certificate);
            newRows.Events.Add(new AuditEvent
            {
                At = now, Actor = actor, ObjectType = DefinitionHistory.ObjectType, ObjectId = definition.Id.ToString(), Action = "import", Outcome = "success",
                Detail = $"Imported from '{files[i].Name}' ({CertificateSummary.FormatName(bundle.Format)}) as {DefinitionService.ModeText(settings.Mode)}, SHA-256 {sha[i]}, {(keyId is null ? "without" : "with")} private key.",
            });
            added[sha[i]] = (certificate, definition, i);

            // In either mode the imported certificate is the definition's current one: its expiry is what the
            // overview counts and the API reports (monitored-only monitoring still checks the served certificate).
            newDefinitions.Add(definition.Id);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct); // new keys and key-attachment history first: certificates refer to the keys

        // The new rows through prepared INSERTs built from the EF model (EF's SaveChanges costs ~0.25 ms a row here).
        await InsertAsync(newRows.Definitions, ct);
        await InsertAsync(newRows.Certificates, ct);
        await InsertAsync(newRows.Events, ct);
        if (newDefinitions.Count > 0)
        {
            // The definition ↔ current certificate cycle: rows first, then the pointer, in one statement per chunk.
            await db.Definitions.Where(d => newDefinitions.Contains(d.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.CurrentCertificateId, d => d.Certificates.Select(c => (Guid?)c.Id).FirstOrDefault()), ct);
            await DefinitionState.RefreshAsync(db.Definitions.Where(d => newDefinitions.Contains(d.Id)), ct);
        }

        foreach (var (certificateId, keyId, _) in keyAttachments)
        {
            await db.Certificates.Where(c => c.Id == certificateId && c.PrivateKeyId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.PrivateKeyId, keyId), ct);
        }

        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();

        foreach (var (_, (certificate, definition, file)) in added)
        {
            var withKey = certificate.PrivateKeyId is not null;
            outcomes[file] = new ImportFileOutcome(files[file].Name, ImportStatus.Imported,
                $"Imported '{definition.CommonName}' as {DefinitionService.ModeText(settings.Mode).ToLowerInvariant()}, "
                + (withKey ? "with its private key (re-deployable)." : "without a private key (can be monitored, not re-deployed)."),
                null, definition.Id, certificate.Id, definition.CommonName, certificate.Sha256, certificate.NotAfter, withKey);
        }
    }

    private async Task InsertAsync<T>(List<T> rows, CancellationToken ct)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var insert = await BulkInsert<T>.PrepareAsync(db, ct);
        await insert.AddRangeAsync(rows, ct);
    }

    /// <summary>The stored key for a bundle's key: an existing row with the same public key, or a new sealed one.</summary>
    private Guid KeyFor(CertificateBundle bundle, string spki, Dictionary<string, Guid> keys, DateTimeOffset now)
    {
        if (keys.TryGetValue(spki, out var id))
        {
            return id;
        }

        var sealedKey = SealedKeys.Seal(bundle.PrivateKey!, bundle.KeySpec, PrivateKeySource.Imported, protector, now,
            CertificateSummary.CommonNameOf(bundle.Leaf.SubjectName));
        db.PrivateKeys.Add(sealedKey);
        keys[spki] = sealedKey.Id;
        return sealedKey.Id;
    }

    private static Result<CertificateBundle> Read(byte[] content, ImportSettings settings, byte[]? key, byte[]? chain)
    {
        IReadOnlyList<string?> passwords = settings.Passwords is { Count: > 0 } given ? [.. given] : [null];
        // The key password is tried first with each file password, then without (files whose key shares their password).
        IReadOnlyList<string?> keyPasswords = string.IsNullOrEmpty(settings.KeyPassword) ? [null] : [settings.KeyPassword, null];
        Result<CertificateBundle> last = default;
        foreach (var (password, keyPassword) in passwords.SelectMany(p => keyPasswords.Select(k => (p, k))))
        {
            last = CertificateReader.Read(content, new ReadOptions
            {
                Password = password,
                KeyPassword = keyPassword,
                KeyData = key,
                ChainData = chain,
                MaxBytes = settings.MaxBytes,
            });
            if (last.IsSuccess || last.Error.Code is not (ReadErrors.PasswordRequired or ReadErrors.WrongPassword))
            {
                return last;
            }
        }

        return last;
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true };

    private static bool ChainComplete(CertificateBundle bundle)
    {
        var top = bundle.Chain.Count > 0 ? bundle.Chain[^1] : bundle.Leaf;
        return top.SubjectName.RawData.AsSpan().SequenceEqual(top.IssuerName.RawData);
    }

    private static ImportFileOutcome Failed(ImportFile file, Error error) =>
        new(file.Name, ImportStatus.Failed, error.Message, error.Code);

    private sealed record Known(string Sha256, Guid Id, Guid DefinitionId, string DefinitionName, Guid? PrivateKeyId, DateTimeOffset NotAfter, string? CommonName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Import by {Actor}: {Imported} imported, {Duplicates} duplicates, {Failed} failed")]
    private static partial void LogImported(ILogger logger, int imported, int duplicates, int failed, string actor);
}
