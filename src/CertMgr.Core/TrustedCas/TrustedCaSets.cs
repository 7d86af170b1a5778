using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using CertMgr.Core.Audit;
using CertMgr.Core.Common;
using CertMgr.Core.Pki;
using CertMgr.Core.Pki.Reading;
using CertMgr.Core.Probe;
using CertMgr.Core.Setup;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.TrustedCas;

/// <summary>
/// Trusted CA Sets (guide 2.12, 3.7): each set is some files of the system collection
/// (<c>trusted-cas/system-list/*.pem</c>) plus user-defined CA certificates; "save and merge" makes the effective set
/// the monitor validates against. One set is the default; definitions without a set use it. Never the OS store.
/// </summary>
public sealed class TrustedCaSets(CertMgrDbContext db, DataDirectory home, TimeProvider time)
{
    public const string PublicRootsFile = "public-roots.pem";
    public const string DefaultSetName = "Default";
    private const string ResourceName = "CertMgr.Core.TrustedCas.public-roots.pem";

    // Effective anchors per set, keyed by its content (files and user certificates): a monitor pass loads each set once.
    private static readonly ConcurrentDictionary<string, X509Certificate2Collection> Effective = new();

    /// <summary>Writes the shipped public-roots file into the system collection when it is missing or older, and creates the default set.</summary>
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

        if (!await db.TrustedCaSets.AnyAsync(ct))
        {
            var now = time.GetUtcNow();
            var files = SystemFiles();
            db.TrustedCaSets.Add(new TrustedCaSet { Name = DefaultSetName, IsDefault = true, SystemFiles = files, CreatedAt = now, UpdatedAt = now, MergedAt = now });
            db.Record(now, AuditLog.System, nameof(TrustedCaSet), DefaultSetName, "create", detail: string.Join(", ", files));
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>The files of the system collection, by name.</summary>
    public List<string> SystemFiles() => Directory.Exists(home.SystemListDirectory)
        ? [.. Directory.EnumerateFiles(home.SystemListDirectory, "*.pem").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)]
        : [];

    public Task<List<TrustedCaSet>> ListAsync(CancellationToken ct) =>
        db.TrustedCaSets.AsNoTracking().Include(s => s.Certificates).OrderByDescending(s => s.IsDefault).ThenBy(s => s.Name).ToListAsync(ct);

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
        var set = new TrustedCaSet { Name = checkedName.Value, SystemFiles = [.. files], CreatedAt = now, UpdatedAt = now };
        db.TrustedCaSets.Add(set);
        db.Record(now, actor, nameof(TrustedCaSet), set.Id.ToString(), "create", detail: set.Name);
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

        var now = time.GetUtcNow();
        db.Record(now, actor, nameof(TrustedCaSet), id.ToString(), "rename", detail: $"{set.Name} -> {checkedName.Value}");
        set.Name = checkedName.Value;
        set.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return set;
    }

    public async Task<Result> DeleteAsync(Guid id, string actor, CancellationToken ct)
    {
        var set = await db.TrustedCaSets.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (set is null)
        {
            return NotFound();
        }

        if (set.IsDefault)
        {
            return new Error("set-is-default", "The default set cannot be deleted; make another set the default first.");
        }

        var users = await db.Definitions.CountAsync(d => d.TrustedCaSetId == id, ct);
        if (users > 0)
        {
            return new Error("set-in-use", $"{users} certificate definition(s) use this set; choose another set for them first.");
        }

        db.TrustedCaSets.Remove(set);
        db.Record(time.GetUtcNow(), actor, nameof(TrustedCaSet), id.ToString(), "delete", detail: set.Name);
        await db.SaveChangesAsync(ct);
        return Result.Success();
    }

    public async Task<Result> SetDefaultAsync(Guid id, string actor, CancellationToken ct)
    {
        var sets = await db.TrustedCaSets.ToListAsync(ct);
        var chosen = sets.SingleOrDefault(s => s.Id == id);
        if (chosen is null)
        {
            return NotFound();
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

    /// <summary>
    /// "Save and merge": the chosen system files and the user CA certificates become the set's effective content
    /// (user certificates read from any format; only CA certificates are accepted; duplicates are ignored).
    /// </summary>
    public async Task<Result<TrustedCaSet>> SaveAndMergeAsync(
        Guid id, IReadOnlyList<string> systemFiles, IReadOnlyList<byte[]> addCertificates, IReadOnlyList<Guid> removeCertificates, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(systemFiles);
        ArgumentNullException.ThrowIfNull(addCertificates);
        ArgumentNullException.ThrowIfNull(removeCertificates);
        var set = await db.TrustedCaSets.Include(s => s.Certificates).SingleOrDefaultAsync(s => s.Id == id, ct);
        if (set is null)
        {
            return NotFound();
        }

        var unknown = CheckFiles(systemFiles);
        if (unknown is not null)
        {
            return unknown;
        }

        var now = time.GetUtcNow();
        var added = new List<TrustedCaCertificate>();
        foreach (var data in addCertificates)
        {
            var read = ReadCaCertificates(data);
            if (!read.IsSuccess)
            {
                return read.Error;
            }

            foreach (var cert in read.Value)
            {
                var sha256 = Thumbprints.Sha256(cert);
                if (set.Certificates.Any(c => c.Sha256 == sha256) || added.Any(c => c.Sha256 == sha256))
                {
                    continue;
                }

                added.Add(new TrustedCaCertificate
                {
                    TrustedCaSetId = set.Id, Der = cert.RawData, Subject = cert.Subject, Sha256 = sha256,
                    NotAfter = new DateTimeOffset(cert.NotAfter.ToUniversalTime(), TimeSpan.Zero), CreatedAt = now,
                });
                cert.Dispose();
            }
        }

        foreach (var gone in set.Certificates.Where(c => removeCertificates.Contains(c.Id)).ToList())
        {
            db.Remove(gone);
        }

        db.AddRange(added);
        set.SystemFiles = [.. systemFiles.Distinct(StringComparer.Ordinal)];
        set.UpdatedAt = now;
        set.MergedAt = now;
        db.Record(now, actor, nameof(TrustedCaSet), id.ToString(), "merge",
            detail: $"files: {string.Join(", ", set.SystemFiles)}; added {added.Count}, removed {removeCertificates.Count} CA certificate(s)");
        await db.SaveChangesAsync(ct);
        return set;
    }

    /// <summary>The effective trust anchors of a set (the default set when <paramref name="id"/> is null).</summary>
    public async Task<Result<X509Certificate2Collection>> AnchorsAsync(Guid? id, CancellationToken ct)
    {
        var set = await db.TrustedCaSets.AsNoTracking().Include(s => s.Certificates)
            .SingleOrDefaultAsync(s => id == null ? s.IsDefault : s.Id == id, ct);
        if (set is null)
        {
            return id is null ? new Error("no-default-set", "There is no default Trusted CA Set.") : NotFound();
        }

        var key = $"{set.Id}|{string.Join('/', set.SystemFiles)}|{string.Join('/', set.Certificates.Select(c => c.Sha256).Order(StringComparer.Ordinal))}|{home.SystemListDirectory}";
        return Effective.GetOrAdd(key, _ => Load(set));
    }

    /// <summary>The effective anchors of a set by name (for <c>certmgr check --trust-set</c>).</summary>
    public async Task<Result<X509Certificate2Collection>> AnchorsByNameAsync(string name, CancellationToken ct)
    {
        var id = await db.TrustedCaSets.AsNoTracking().Where(s => s.Name == name).Select(s => (Guid?)s.Id).SingleOrDefaultAsync(ct);
        return id is null ? new Error("set-not-found", $"No Trusted CA Set is named '{name}'.") : await AnchorsAsync(id, ct);
    }

    private X509Certificate2Collection Load(TrustedCaSet set)
    {
        var anchors = new X509Certificate2Collection();
        foreach (var file in set.SystemFiles)
        {
            var path = Path.Combine(home.SystemListDirectory, file);
            if (File.Exists(path) && TrustAnchorFiles.Read(File.ReadAllBytes(path), file) is { IsSuccess: true } read)
            {
                anchors.AddRange(read.Value);
            }
        }

        foreach (var c in set.Certificates)
        {
            anchors.Add(X509CertificateLoader.LoadCertificate(c.Der));
        }

        return anchors;
    }

    private static Result<List<X509Certificate2>> ReadCaCertificates(byte[] data)
    {
        var anchors = TrustAnchorFiles.Read(data, "The uploaded file");
        List<X509Certificate2> certs;
        if (anchors.IsSuccess)
        {
            certs = [.. anchors.Value];
        }
        else
        {
            // PKCS#7 and the other formats the PKI layer reads: the leaf and chain are all candidates.
            var bundle = CertificateReader.Read(data, new ReadOptions());
            if (!bundle.IsSuccess)
            {
                return anchors.Error;
            }

            using (bundle.Value)
            {
                certs = [X509CertificateLoader.LoadCertificate(bundle.Value.Leaf.RawData), .. bundle.Value.Chain.Select(c => X509CertificateLoader.LoadCertificate(c.RawData))];
            }
        }

        var notCa = certs.FirstOrDefault(c => c.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true });
        if (notCa is not null)
        {
            var subject = notCa.Subject;
            certs.ForEach(c => c.Dispose());
            return new Error("not-a-ca", $"'{subject}' is not a CA certificate (no basicConstraints CA:TRUE); only CA certificates can be trusted.");
        }

        return certs;
    }

    private async Task<Result<string>> CheckNameAsync(string name, Guid? self, CancellationToken ct)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > 100 || trimmed.Any(char.IsControl))
        {
            return new Error("name-invalid", "A set name is 1 to 100 printable characters.");
        }

        if (await db.TrustedCaSets.AnyAsync(s => s.Name == trimmed && s.Id != self, ct))
        {
            return new Error("name-taken", $"A set named '{trimmed}' already exists.");
        }

        return trimmed;
    }

    private Error? CheckFiles(IEnumerable<string> files)
    {
        var known = SystemFiles();
        var missing = files.FirstOrDefault(f => !known.Contains(f, StringComparer.Ordinal));
        return missing is null ? null : new Error("file-unknown", $"'{missing}' is not a file of the system collection ({string.Join(", ", known)}).");
    }

    private static Error NotFound() => new("set-not-found", "No Trusted CA Set has that id.");
}
