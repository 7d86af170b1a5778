using Microsoft.EntityFrameworkCore.Design;

namespace CertMgr.Data.Postgres;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model for this provider.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<CertMgrDbContext>
{
    public CertMgrDbContext CreateDbContext(string[] args) => new(new DatabaseSettings(DatabaseKind.Postgres, "Host=127.0.0.1;Port=55432;Username=postgres;Database=certmgr_design").CreateOptions());
}
