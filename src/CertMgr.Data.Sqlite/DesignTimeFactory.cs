using Microsoft.EntityFrameworkCore.Design;

namespace CertMgr.Data.Sqlite;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model for this provider.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CertMgrDbContext>
{
    public CertMgrDbContext CreateDbContext(string[] args) => new(DatabaseSettings.ForSqliteFile("design-time.db").CreateOptions());
}
