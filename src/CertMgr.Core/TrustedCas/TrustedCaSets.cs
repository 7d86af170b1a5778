using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Core.Pki;
using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.TrustedCas;

/// <summary>A line of the Trusted CA Sets list.</summary>
public sealed record TrustedCaSetSummary(
    Guid Id, string Name, bool IsDefault, int SystemFileCount, int UserCaCount, int DefinitionCount,
    DateTimeOffset? MergedAt, bool HasUnmergedChanges, DateTimeOffset UpdatedAt);

/// <summary>A set as edited, with what is not merged yet.</summary>
public sealed record TrustedCaSetDetails(TrustedCaSet Set, int DefinitionCount, PendingChanges Pending, int EffectiveCount);

/// <summary>The outcome of an upload: the certificates stored, and how many were already in the set.</summary>
public sealed record AddedCertificates(IReadOnlyList<TrustedCaCertificate> Added, int Duplicates);

/// <summary>
/// Trusted CA Sets (guide 2.12, 3.7): each set is some files of the system collection
/// (<c>trusted-cas/system-list/*.pem</c>) plus user-defined CA certificates. Edits (files, certificates) change the
/// set as edited; "save and merge" writes the effective set (<c>trusted-cas/merged/&lt;id&gt;.pem</c>) that the
/// monitor and <c>certmgr check</c> validate against. One set is the default; definitions without a set use it.
/// Never the OS store.
/// </summary>
public sealed class TrustedCaSets(CertMgrDbContext db, DataDirectory home, TimeProvider time)
{
    public const string PublicRootsFile = "public-roots.pem";
    public const string DefaultSetName = "Default";
    private const string ResourceName = "CertMgr.Core.TrustedCas.public-roots.pem";

    // Effective anchors per merged file (keyed by path, checked against its size and time) or per content for sets
    // without a merged file: a monitor pass loads each set once, and a merge is seen at once.
    private static readonly ConcurrentDictionary<string, (string Stamp, X509Certificate2Collection Anchors)> Effective = new(StringComparer.Ordinal);

    private string MergedDirectory => Path.Combine(home.TrustedCasDirectory, "merged");

    private string MergedPath(Guid id) => Path.Combine(MergedDirectory, $"{id}.pem");

    /// <summary>
    /// Writes the shipped public-roots file into the system collection when it is missing or older, creates the
    /// default set, and gives every set its merged file. Sets whose only change is new content of the files CertMgr
    /// itself writes (the shipped roots, the private CA's certificate) are merged again, so an upgrade or a new CA
    /// certificate takes effect without an admin's merge.
    /// </summary>
    public async Task EnsureDefaultsAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(home.SystemListDirectory);
        var path = Path.Combine(home.SystemListDirectory, PublicRootsFile);
        await using (var shipped = typeof(TrustedCaSets).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The build lacks the embedded {ResourceName}."))
        {
            using var buffer = new MemoryStream();
            await shipped.CopyToAsync(buffer, ct);
            var bytes = buffer.ToArray();
            if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            {
                var temp = path + ".tmp";
                await File.WriteAllBytesAsync(temp, bytes, ct);
                File.Move(temp, path, overwrite: true);
            }
        }

        var now = time.GetUtcNow();
        if (!await db.TrustedCaSets.AnyAsync(ct))
        {
            var files = SystemFiles();
            db.TrustedCaSets.Add(new TrustedCaSet { Name = DefaultSetName, IsDefault = true, SystemFiles = files, CreatedAt = now, UpdatedAt = now, MergedAt = now });
            db.Record(now, AuditLog.System, nameof(TrustedCaSet), DefaultSetName, "create", detail: string.Join(", ", files));
            await db.SaveChangesAsync(ct);
        }

        string[] ours = [PublicRootsFile, Path.GetFileName(home.CaSystemListPath)];
        foreach (var set in await db.TrustedCaSets.Include(s => s.Certificates).ToListAsync(ct))
        {
            var merged = MergedSnapshot.ReadContent(MergedPath(set.Id));
            var pending = merged is null ? null : MergedSnapshot.Compare(merged, WorkingContent(set));
            var refresh = pending is { OnlyFileContent: true } && pending.FilesChanged.All(f => ours.Contains(f, StringComparer.Ordinal));
            if ((merged is null && set.MergedAt is not null) || refresh)
            {
                if (WriteMerged(set) is { IsSuccess: true } written)
                {
                    set.MergedAt = now;
                    db.Record(now, AuditLog.System, nameof(TrustedCaSet), set.Id.ToString(), "merge",
                        detail: refresh ? $"system collection updated ({string.Join(", ", pending!.FilesChanged)}): {written.Value}" : $"merged file written: {written.Value}");
                }
            }
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>The public root CAs shipped in the build (Mozilla NSS via Debian's ca-certificates), read-only use.</summary>
    public static X509Certificate2Collection ShippedPublicRoots()
    {
        using var shipped = typeof(TrustedCaSets).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The build lacks the embedded {ResourceName}.");
        using var reader = new StreamReader(shipped);
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(reader.ReadToEnd());
        return roots;
    }

    /// <summary>The files of the system collection, by name.</summary>
    public List<string> SystemFiles() => SystemCollection.Names(home.SystemListDirectory);

    /// <summary>The files of the system collection with their certificate counts.</summary>
    public List<SystemFileInfo> DescribeSystemFiles() => SystemCollection.Describe(home.SystemListDirectory);

    /// <summary>The certificates of one system file.</summary>
    public Result<List<CaCertificateInfo>> SystemFileCertificates(string name)
    {
        if (!SystemCollection.IsPlainName(name ?? "") || SystemCollection.Read(Path.Combine(home.SystemListDirectory, name!), name!) is not { } parsed)
        {
            return FileUnknown(name ?? "") with { Kind = ErrorKind.NotFound };
        }

        return parsed.Certificates.IsSuccess
            ? parsed.Certificates.Value.Select(CaCertificateInfo.Of).OrderBy(c => c.Subject, StringComparer.OrdinalIgnoreCase).ToList()
            : parsed.Certificates.Error;
    }

    public Task<List<TrustedCaSet>> ListAsync(CancellationToken ct) =>
        db.TrustedCaSets.AsNoTracking().Include(s => s.Certificates).OrderByDescending(s => s.IsDefault).ThenBy(s => s.Name).ToListAsync(ct);

    /// <summary>Every set with its counts and whether it has unmerged changes (sets are few: read whole).</summary>
    public async Task<List<TrustedCaSetSummary>> SummariesAsync(CancellationToken ct)
    {
        var sets = await ListAsync(ct);
        var usage = await UsageAsync(ct);
        return [.. sets.Select(s => new TrustedCaSetSummary(s.Id, s.Name, s.IsDefault, s.SystemFiles.Count, s.Certificates.Count,
            UsageOf(s, usage), s.MergedAt, Pending(s).Any, s.UpdatedAt))];
    }

    public async Task<Result<TrustedCaSetDetails>> GetAsync(Guid id, CancellationToken ct)
    {
        var set = await db.TrustedCaSets.AsNoTracking().Include(s => s.Certificates).SingleOrDefaultAsync(s => s.Id == id, ct);
        if (set is null)
        {
            return NotFound();
        }

        set.Certificates.Sort((a, b) => string.Compare(a.Subject, b.Subject, StringComparison.OrdinalIgnoreCase));
        var anchors = await AnchorsAsync(id, ct);
        return new TrustedCaSetDetails(set, UsageOf(set, await UsageAsync(ct)), Pending(set), anchors.IsSuccess ? anchors.Value.Count : 0);
    }

    /// <summary>A new set with the given system files (the public roots when none are named), merged at once.</summary>
    public async Task<Result<TrustedCaSet>> CreateAsync(string name, IReadOnlyList<string>? systemFiles, string actor, CancellationToken ct)
    {
        var checkedName = await CheckNameAsync(name, null, ct);
        if (!checkedName.IsSuccess)
        {
            return checkedName.Error;
        }

        var files = systemFiles ?? [PublicRootsFile];
        var unknown = CheckFiles(files);
        if (unknown is not null)
        {
            return unknown;
        }

        var now = time.GetUtcNow();
        var set = new TrustedCaSet { Name = checkedName.Value, SystemFiles = [.. files.Distinct(StringComparer.Ordinal)], CreatedAt = now, UpdatedAt = now, MergedAt = now };
        var written = WriteMerged(set);
        if (!written.IsSuccess)
        {
            return written.Error;
        }

        db.TrustedCaSets.Add(set);
        db.Record(now, actor, nameof(TrustedCaSet), set.Id.ToString(), "create", detail: $"{set.Name}: {string.Join(", ", set.SystemFiles)}");
        await db.SaveChangesAsync(ct);
        return set;
    }

    public async Task<Result<TrustedCaSet>> RenameAsync(Guid id, string name, string actor, CancellationToken ct)
    {
        var set = await db.TrustedCaSets.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (set is null)
        {
            return NotFound();
        }

        var checkedName = await CheckNameAsync(name, id, ct);
        if (!checkedName.IsSuccess)
        {
            return checkedName.Error;
        }

        if (checkedName.Value == set.Name)
        {
            return set;
        }

        var now = time.GetUtcNow();
        db.Record(now, actor, nameof(TrustedCaSet), id.ToString(), "rename", detail: $"{set.Name} -> {checkedName.Value}");
        set.Name = checkedName.Value;
        set.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return set;
    }

    /// <summary>
    /// Deletes a set (never the default). Definitions that used it move to the default set (their set becomes
    /// "default"), so deleting never leaves a definition without trust; the answer is how many moved.
    /// </summary>
    public async Task<Result<int>> DeleteAsync(Guid id, string actor, CancellationToken ct)
    {
        var set = await db.TrustedCaSets.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (set is null)
        {
            return NotFound();
        }

        if (set.IsDefault)
        {
            return Error.Conflict("set-is-default", "The default set cannot be deleted; make another set the default first.");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var moved = await db.Definitions.Where(d => d.TrustedCaSetId == id).ExecuteUpdateAsync(u => u.SetProperty(d => d.TrustedCaSetId, (Guid?)null), ct);
        db.TrustedCaSets.Remove(set);
        db.Record(time.GetUtcNow(), actor, nameof(TrustedCaSet), id.ToString(), "delete",
            detail: moved > 0 ? $"{set.Name}; {Plural.Of(moved, "definition")} moved to the default set" : set.Name);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        File.Delete(MergedPath(id));
        return moved;
    }

    public async Task<Result> SetDefaultAsync(Guid id, string actor, CancellationToken ct)
    {
        var sets = await db.TrustedCaSets.ToListAsync(ct);
        var chosen = sets.SingleOrDefault(s => s.Id == id);
        if (chosen is null)
        {
            return NotFound();
        }

        if (chosen.IsDefault)
        {
            return Result.Success();
        }

        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var s in sets.Where(s => s.IsDefault && s.Id != id))
        {
            s.IsDefault = false; // first, so the one-default index never sees two
        }

        await db.SaveChangesAsync(ct);
        chosen.IsDefault = true;
        db.Record(now, actor, nameof(TrustedCaSet), id.ToString(), "set-default", detail: chosen.Name);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Result.Success();
    }

    /// <summary>Chooses the set's system collection files (existing files only); takes effect at the next merge.</summary>
    public async Task<Result<TrustedCaSet>> SetSystemFilesAsync(Guid id, IReadOnlyList<string> systemFiles, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(systemFiles);
        var set = await db.TrustedCaSets.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (set is null)
        {
            return NotFound();
        }

        var unknown = CheckFiles(systemFiles);
        if (unknown is not null)
        {
            return unknown;
        }

        var files = systemFiles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (files.SequenceEqual(set.SystemFiles.Order(StringComparer.Ordinal)))
        {
            return set;
        }

        var now = time.GetUtcNow();
        db.Record(now, actor, nameof(TrustedCaSet), id.ToString(), "system-files", detail: $"{string.Join(", ", set.SystemFiles)} -> {string.Join(", ", files)}");
        set.SystemFiles = files;
        set.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return set;
    }

    /// <summary>
    /// Adds the CA certificates of an upload (see <see cref="CaUpload"/>) as user-defined CAs; certificates already
    /// in the set (same SHA-256) are skipped. Takes effect at the next merge.
    /// </summary>
    public async Task<Result<AddedCertificates>> AddCertificatesAsync(Guid id, byte[] upload, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var set = await db.TrustedCaSets.Include(s => s.Certificates).SingleOrDefaultAsync(s => s.Id == id, ct);
        if (set is null)
        {
            return NotFound();
        }

        var read = CaUpload.Read(upload);
        if (!read.IsSuccess)
        {
            return read.Error;
        }

        var now = time.GetUtcNow();
        var added = new List<TrustedCaCertificate>();
        var duplicates = 0;
        foreach (var cert in read.Value)
        {
            using (cert)
            {
                var sha256 = Thumbprints.Sha256(cert);
                if (set.Certificates.Any(c => c.Sha256 == sha256) || added.Any(c => c.Sha256 == sha256))
                {
                    duplicates++;
                    continue;
                }

                added.Add(new TrustedCaCertificate
                {
                    TrustedCaSetId = set.Id, Der = cert.RawData, Subject = cert.Subject, Sha256 = sha256,
                    NotAfter = new DateTimeOffset(cert.NotAfter.ToUniversalTime(), TimeSpan.Zero), CreatedAt = now,
                });
            }
        }

        if (added.Count > 0)
        {
            db.AddRange(added);
            set.UpdatedAt = now;
            db.Record(now, actor, nameof(TrustedCaSet), id.ToString(), "add-ca",
                detail: string.Join("; ", added.Select(a => $"{a.Subject} ({a.Sha256[..16]}…)")) + (duplicates > 0 ? $"; {duplicates} already present" : ""));
            await db.SaveChangesAsync(ct);
        }

        return new AddedCertificates(added, duplicates);
    }

    /// <summary>Removes one user-defined CA certificate; takes effect at the next merge.</summary>
    public async Task<Result> RemoveCertificateAsync(Guid id, Guid certificateId, string actor, CancellationToken ct)
    {
        var cert = await db.Set<TrustedCaCertificate>().Include(c => c.TrustedCaSet).SingleOrDefaultAsync(c => c.Id == certificateId && c.TrustedCaSetId == id, ct);
        if (cert is null)
        {
            return await db.TrustedCaSets.AnyAsync(s => s.Id == id, ct)
                ? Error.NotFound("certificate-not-found", "The set has no user CA certificate with that id.")
                : NotFound();
        }

        var now = time.GetUtcNow();
        db.Remove(cert);
        cert.TrustedCaSet.UpdatedAt = now;
        db.Record(now, actor, nameof(TrustedCaSet), id.ToString(), "remove-ca", detail: $"{cert.Subject} ({cert.Sha256[..16]}…)");
        await db.SaveChangesAsync(ct);
        return Result.Success();
    }

    /// <summary>"Save and merge": the set as edited becomes the effective set the monitor validates against.</summary>
    public async Task<Result<TrustedCaSet>> MergeAsync(Guid id, string actor, CancellationToken ct)
    {
        var set = await db.TrustedCaSets.Include(s => s.Certificates).SingleOrDefaultAsync(s => s.Id == id, ct);
        return set is null ? NotFound() : await MergeAsync(set, actor, ct);
    }

    /// <summary>Edits and merges in one step: the files chosen, certificates added (any format) and removed.</summary>
    public async Task<Result<TrustedCaSet>> SaveAndMergeAsync(
        Guid id, IReadOnlyList<string> systemFiles, IReadOnlyList<byte[]> addCertificates, IReadOnlyList<Guid> removeCertificates, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(systemFiles);
        ArgumentNullException.ThrowIfNull(addCertificates);
        ArgumentNullException.ThrowIfNull(removeCertificates);
        if (!await db.TrustedCaSets.AnyAsync(s => s.Id == id, ct))
        {
            return NotFound();
        }

        // Check every upload before changing anything.
        foreach (var data in addCertificates)
        {
            var read = CaUpload.Read(data);
            if (!read.IsSuccess)
            {
                return read.Error;
            }

            read.Value.ForEach(c => c.Dispose());
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var files = await SetSystemFilesAsync(id, systemFiles, actor, ct);
        if (!files.IsSuccess)
        {
            return files.Error;
        }

        foreach (var data in addCertificates)
        {
            var added = await AddCertificatesAsync(id, data, actor, ct);
            if (!added.IsSuccess)
            {
                return added.Error;
            }
        }

        foreach (var certificateId in removeCertificates)
        {
            var removed = await RemoveCertificateAsync(id, certificateId, actor, ct);
            if (!removed.IsSuccess)
            {
                return removed.Error;
            }
        }

        var merged = await MergeAsync(id, actor, ct);
        if (merged.IsSuccess)
        {
            await tx.CommitAsync(ct);
        }

        return merged;
    }

    /// <summary>The effective (merged) trust anchors of a set; the default set when <paramref name="id"/> is null.</summary>
    public async Task<Result<X509Certificate2Collection>> AnchorsAsync(Guid? id, CancellationToken ct)
    {
        var set = await db.TrustedCaSets.AsNoTracking()
            .Where(s => id == null ? s.IsDefault : s.Id == id).Select(s => new { s.Id, s.MergedAt }).SingleOrDefaultAsync(ct);
        if (set is null)
        {
            return id is null ? new Error("no-default-set", "There is no default Trusted CA Set.") : NotFound();
        }

        var path = MergedPath(set.Id);
        var file = new FileInfo(path);
        if (file.Exists)
        {
            var stamp = $"{file.Length}|{file.LastWriteTimeUtc.Ticks}|{set.MergedAt?.UtcTicks}";
            if (Effective.TryGetValue(path, out var cached) && cached.Stamp == stamp)
            {
                return cached.Anchors;
            }

            var anchors = new X509Certificate2Collection();
            anchors.ImportFromPemFile(path);
            Effective[path] = (stamp, anchors);
            return anchors;
        }

        // A set with no merged file (made outside these operations): its content as it stands.
        var full = await db.TrustedCaSets.AsNoTracking().Include(s => s.Certificates).SingleAsync(s => s.Id == set.Id, ct);
        var key = $"{full.Id}|{string.Join('/', full.SystemFiles)}|{string.Join('/', full.Certificates.Select(c => c.Sha256).Order(StringComparer.Ordinal))}|{home.SystemListDirectory}";
        if (Effective.TryGetValue(key, out var byContent))
        {
            return byContent.Anchors;
        }

        var loaded = new X509Certificate2Collection();
        foreach (var c in Collect(full, strict: false).Value)
        {
            loaded.Add(c);
        }

        Effective[key] = (key, loaded);
        return loaded;
    }

    /// <summary>The effective anchors of a set by name (for <c>certmgr check --trust-set</c>).</summary>
    public async Task<Result<X509Certificate2Collection>> AnchorsByNameAsync(string name, CancellationToken ct)
    {
        var id = await db.TrustedCaSets.AsNoTracking().Where(s => s.Name == name).Select(s => (Guid?)s.Id).SingleOrDefaultAsync(ct);
        return id is null ? Error.NotFound("set-not-found", $"No Trusted CA Set is named '{name}'.") : await AnchorsAsync(id, ct);
    }

    private async Task<Result<TrustedCaSet>> MergeAsync(TrustedCaSet set, string actor, CancellationToken ct)
    {
        var written = WriteMerged(set);
        if (!written.IsSuccess)
        {
            return written.Error;
        }

        var now = time.GetUtcNow();
        set.MergedAt = now;
        set.UpdatedAt = now;
        db.Record(now, actor, nameof(TrustedCaSet), set.Id.ToString(), "merge",
            detail: $"files: {string.Join(", ", set.SystemFiles)}; {Plural.Of(set.Certificates.Count, "user CA certificate")}; effective {written.Value}");
        await db.SaveChangesAsync(ct);
        return set;
    }

    private Result<string> WriteMerged(TrustedCaSet set)
    {
        var certs = Collect(set, strict: true);
        if (!certs.IsSuccess)
        {
            return certs.Error;
        }

        var content = WorkingContent(set);
        var path = MergedPath(set.Id);
        var result = MergedSnapshot.Write(path, content, certs.Value);
        Effective.TryRemove(path, out _);
        return result;
    }

    /// <summary>The certificates of the set as edited: its system files, then its user CAs.</summary>
    private Result<List<X509Certificate2>> Collect(TrustedCaSet set, bool strict)
    {
        var all = new List<X509Certificate2>();
        foreach (var file in set.SystemFiles)
        {
            var parsed = SystemCollection.IsPlainName(file) ? SystemCollection.Read(Path.Combine(home.SystemListDirectory, file), file) : null;
            if (parsed is { Certificates.IsSuccess: true })
            {
                all.AddRange(parsed.Certificates.Value);
            }
            else if (strict)
            {
                return parsed is null ? FileUnknown(file) : new Error("file-unreadable", parsed.Certificates.Error!.Message);
            }
        }

        all.AddRange(set.Certificates.Select(c => X509CertificateLoader.LoadCertificate(c.Der)));
        return all;
    }

    private MergedContent WorkingContent(TrustedCaSet set)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in set.SystemFiles.Distinct(StringComparer.Ordinal))
        {
            var parsed = SystemCollection.IsPlainName(file) ? SystemCollection.Read(Path.Combine(home.SystemListDirectory, file), file) : null;
            files[file] = parsed?.Sha256 ?? "missing";
        }

        return new MergedContent(files, [.. set.Certificates.Select(c => c.Sha256)]);
    }

    private PendingChanges Pending(TrustedCaSet set)
    {
        var merged = MergedSnapshot.ReadContent(MergedPath(set.Id));
        var working = WorkingContent(set);
        if (merged is not null)
        {
            return MergedSnapshot.Compare(merged, working);
        }

        // No merged file: a set never merged has everything pending; otherwise its content as it stands is in effect.
        return set.MergedAt is null ? new PendingChanges([.. working.Files.Keys], [], [], working.UserCertificates.Count, 0) : PendingChanges.None;
    }

    private async Task<(Dictionary<Guid, int> BySet, int WithoutSet)> UsageAsync(CancellationToken ct)
    {
        var counts = await db.Definitions.AsNoTracking().GroupBy(d => d.TrustedCaSetId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return (counts.Where(c => c.Key is not null).ToDictionary(c => c.Key!.Value, c => c.Count), counts.Where(c => c.Key is null).Sum(c => c.Count));
    }

    // Definitions without a set use the default set.
    private static int UsageOf(TrustedCaSet set, (Dictionary<Guid, int> BySet, int WithoutSet) usage) =>
        usage.BySet.GetValueOrDefault(set.Id) + (set.IsDefault ? usage.WithoutSet : 0);

    private async Task<Result<string>> CheckNameAsync(string name, Guid? self, CancellationToken ct)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > 100 || trimmed.Any(char.IsControl))
        {
            return new Error("name-invalid", "A set name is 1 to 100 printable characters.");
        }

        if (await db.TrustedCaSets.AnyAsync(s => s.Name == trimmed && s.Id != self, ct))
        {
            return Error.Conflict("name-taken", $"A set named '{trimmed}' already exists.");
        }

        return trimmed;
    }

    private Error? CheckFiles(IEnumerable<string> files)
    {
        var known = SystemFiles();
        var missing = files.FirstOrDefault(f => !known.Contains(f, StringComparer.Ordinal));
        return missing is null ? null : FileUnknown(missing, known);
    }

    private Error FileUnknown(string name, List<string>? known = null) =>
        new("file-unknown", $"'{name}' is not a file of the system collection ({string.Join(", ", known ?? SystemFiles())}).");

    private static Error NotFound() => Error.NotFound("set-not-found", "No Trusted CA Set has that id.");
}
