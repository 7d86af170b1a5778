using CertMgr.Core.PrivateCa;
using CertMgr.Core.Security;
using CertMgr.Core.TrustedCas;
using CertMgr.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CertMgr.Core.Setup;

/// <summary>What first-start initialisation did.</summary>
/// <param name="CreatedDataDirectory">The data directory was new.</param>
/// <param name="CreatedCa">The built-in CA was created now.</param>
/// <param name="InitialAdminPassword">The new admin's password, when the admin was created now; otherwise null.</param>
public sealed record InitializationOutcome(bool CreatedDataDirectory, bool CreatedCa, string? InitialAdminPassword);

/// <summary>
/// Brings a data directory to a usable state, every time any verb starts: layout, migrated database, built-in CA,
/// initial admin. Idempotent: a second run changes nothing and never regenerates the CA.
/// </summary>
public sealed partial class CertMgrInitializer(
    CertMgrSettings settings,
    CertMgrDbContext db,
    PrivateCaService privateCa,
    UserAccounts users,
    TrustedCaSets trustedCaSets,
    Catalog.ProductCatalog products,
    TimeProvider time,
    ILogger<CertMgrInitializer> logger)
{
    /// <param name="ct">Cancellation.</param>
    /// <param name="ensureCa">False only for a verb that makes its own CA (<c>certmgr ca setup</c>): no default CA first.</param>
    public async Task<InitializationOutcome> InitializeAsync(CancellationToken ct, bool ensureCa = true)
    {
        // The layout and master key are created before any service runs (see ServiceRegistration).
        var created = !File.Exists(settings.Home.SqliteDatabasePath) && settings.Database.Kind == DatabaseKind.Sqlite;
        LogDatabase(logger, settings.Database.Kind.ToString(), settings.Database.Redacted);
        if (settings.Home.TightenedFrom is { } loose)
        {
            LogHomeTightened(logger, settings.Home.Root, Convert.ToString((int)loose, 8));
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            LogMigrating(logger, pending.Count);
            await db.Database.MigrateAsync(ct);
        }

        // SQLite creates the database with the process umask; its -wal/-shm files then take the database file's mode.
        var sqlite = settings.Home.SqliteDatabasePath;
        DataDirectory.RestrictFiles(sqlite, sqlite + "-wal", sqlite + "-shm", sqlite + "-journal");

        // Rows from before the stored list state existed get it once (one settings-row read on later starts).
        if (await DefinitionState.EnsureDerivedAsync(db, time, ct))
        {
            LogDerivedListState(logger);
        }

        // Monitored-only imports from before imported certificates became current get theirs once.
        if (await Inventory.ImportedCurrentRepair.EnsureAsync(db, time, ct) is int repaired and > 0)
        {
            LogRepairedImports(logger, repaired);
        }
        await Discovery.DiscoveryService.MarkInterruptedAsync(db, time.GetUtcNow(), ct); // scans of a process that is gone

        var createdCa = ensureCa && (await privateCa.EnsureRootAsync(ct)).Created;
        await trustedCaSets.EnsureDefaultsAsync(ct); // after the CA: its certificate file joins the default set
        var password = await users.EnsureInitialAdminAsync(ct);
        await products.EnsureSeededAsync(ct);
        return new InitializationOutcome(created, createdCa, password);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database: {DatabaseKind} {ConnectionString}")]
    private static partial void LogDatabase(ILogger logger, string databaseKind, string connectionString);

    [LoggerMessage(Level = LogLevel.Information, Message = "Derived the stored list state and search text of existing rows")]
    private static partial void LogDerivedListState(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data directory {DataDirectory} was open to group or others (mode {Mode}); made it owner-only (700)")]
    private static partial void LogHomeTightened(ILogger logger, string dataDirectory, string mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Made the imported certificate current for {Count} monitored-only definition(s)")]
    private static partial void LogRepairedImports(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} database migration(s)")]
    private static partial void LogMigrating(ILogger logger, int count);
}
