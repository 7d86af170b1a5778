using CertMgr.Core.PrivateCa;
using CertMgr.Core.Security;
using CertMgr.Data;
using CertMgr.Data.Secrets;
using Microsoft.Extensions.DependencyInjection;

namespace CertMgr.Core.Setup;

public static class ServiceRegistration
{
    /// <summary>
    /// Registers CertMgr's core services for a data directory. Creates the directory layout and the master key
    /// first, since every secret in the database depends on it.
    /// </summary>
    public static IServiceCollection AddCertMgrCore(this IServiceCollection services, CertMgrSettings settings, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Home.EnsureLayout();
        var (masterKey, _) = MasterKeyFile.LoadOrCreate(settings.Home.MasterKeyPath);

        services.AddSingleton(settings);
        services.AddSingleton(settings.Home);
        services.AddSingleton(new SecretProtector(masterKey));
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddDbContext<CertMgrDbContext>(settings.Database.Configure);
        services.AddSingleton(PrivateCaOptions.From(settings.Configuration));
        services.AddScoped<PrivateCaService>();
        services.AddSingleton<CaSignerCache>();
        services.AddScoped<CaIssuance>();
        services.AddScoped<CaRevocation>();
        services.AddScoped<UserAccounts>();
        services.AddScoped<ApiTokens>();
        services.AddScoped<Inventory.Seeding.InventorySeeder>();
        services.AddScoped<ConsoleCertificateService>();
        services.AddScoped<CertMgrInitializer>();
        return services;
    }
}
