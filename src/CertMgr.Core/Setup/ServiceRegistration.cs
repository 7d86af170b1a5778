using CertMgr.Core.Inventory;
using CertMgr.Core.Monitoring;
using CertMgr.Core.PrivateCa;
using CertMgr.Core.Security;
using CertMgr.Core.TrustedCas;
using CertMgr.Data;
using CertMgr.Data.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<ApiTokens>();
        services.AddScoped<UserAdministration>();
        services.AddSingleton<IpAccessListFile>();
        services.AddScoped<Inventory.Seeding.InventorySeeder>();
        services.AddScoped<ConsoleCertificateService>();
        services.AddScoped<TrustedCaSets>();
        services.AddSingleton(new MonitorOptions());
        services.AddScoped<MonitorService>();
        services.AddSingleton<MonitorActivity>();
        services.AddSingleton<MonitorRunner>();
        services.AddScoped<MonitorSchedules>();
        services.AddSingleton<MonitorScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<MonitorScheduler>()); // runs only where a host runs: the server
        services.AddScoped<CertMgrInitializer>();
        services.AddScoped<Acquisition.AcquisitionService>();
        services.AddScoped<Acquisition.Backends.ICaBackend, Acquisition.Backends.BuiltInCaBackend>();
        services.AddScoped<Acquisition.Backends.ICaBackend, Acquisition.Backends.ManualCaBackend>();
        services.AddScoped<Acquisition.Backends.ICaBackend, Acquisition.Backends.AcmeCaBackend>();
        services.AddSingleton(new Acme.Client.AcmeOptions());
        services.AddSingleton<Acme.Client.Http01Responder>();
        services.AddScoped<Acme.Client.AcmeOrderFlow>();
        services.AddScoped<Acme.Client.AcmeRenewalWindows>();
        services.AddSingleton(Acme.Server.AcmeServerOptions.From(settings.Configuration));
        services.AddSingleton<Acme.Server.AcmeNonces>();
        services.AddSingleton<Acme.Server.AcmeValidator>();
        services.AddScoped<Acme.Server.AcmeRequestAuth>();
        services.AddScoped<Acme.Server.AcmeAccounts>();
        services.AddScoped<Acme.Server.AcmeOrders>();
        services.AddScoped<Acme.Server.AcmeInventory>();
        services.AddScoped<Acme.Server.AcmeFinalizer>();
        services.AddScoped<Acme.Server.AcmeServerAdmin>();
        services.AddScoped<Acme.Server.AcmeServerSettings>();
        services.AddScoped<Catalog.CaConnectionService>();
        services.AddScoped<Acquisition.Backends.CaBackends>();
        services.AddScoped<Catalog.ProductCatalog>();
        services.AddScoped<Catalog.ProviderAccountService>();
        services.AddScoped<Documents.DocumentStore>();
        services.AddScoped<DefinitionService>();
        services.AddScoped<KeyExportService>();
        services.AddScoped<ImportService>();
        services.AddScoped<Deployments.DeploymentService>();
        services.AddSingleton<Deployments.Targets.IDeployTarget, Deployments.Targets.ManualDeployTarget>();
        services.AddScoped<Deployments.Targets.IDeployTarget, Deployments.Ssh.SshDeployTarget>();
        services.AddScoped<Deployments.Targets.IDeployTarget, Deployments.Targets.ThisCertMgrDeployTarget>();
        services.AddScoped<Deployments.Targets.DeployTargets>(); // scoped: the SSH and this-CertMgr targets read the definition's settings
        services.AddScoped<Deployments.Ssh.AutoInstallService>();
        services.TryAddSingleton<ConsoleCertificateHolder>(); // the web host registers the one Kestrel reads first
        services.AddSingleton(Discovery.DiscoveryOptions.From(settings.Configuration));
        services.AddScoped<Discovery.DiscoveryService>();
        services.AddScoped<Discovery.DiscoveryImport>();
        services.AddSingleton<Discovery.DiscoveryRunner>();
        services.AddScoped<Discovery.DiscoveryQueries>();
        services.AddSingleton<Unattended.CrashPoints>();
        services.AddSingleton(new Unattended.UnattendedOptions());
        services.AddScoped<Unattended.UnattendedLeases>();
        services.AddScoped<Unattended.UnattendedAcquisition>();
        services.AddScoped<Unattended.UnattendedDeployment>();
        services.AddScoped<Unattended.UnattendedProcess>();
        services.AddScoped<Unattended.UnattendedQueries>();
        services.AddSingleton<Unattended.UnattendedActivity>();
        services.AddSingleton<Unattended.UnattendedEngine>();
        services.AddSingleton<Unattended.UnattendedRunner>();
        services.AddScoped<Unattended.UnattendedSchedules>();
        services.AddScoped<Backup.BackupService>();
        services.AddSingleton<Unattended.UnattendedScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<Unattended.UnattendedScheduler>()); // only where a host runs: the server
        services.TryAddSingleton(new Notifications.NotificationOptions());
        services.TryAddSingleton<Notifications.ISmtpTransport, Notifications.MailKitSmtpTransport>();
        services.AddScoped<Notifications.NotificationSettings>();
        services.AddScoped<Notifications.EmailOutbox>();
        services.AddScoped<Notifications.NotificationSender>();
        services.AddScoped<Notifications.DailyDigest>();
        services.AddScoped<Notifications.EmailTemplates>();
        services.AddScoped<Notifications.NotificationPreferences>();
        services.AddScoped<Notifications.InstallPackageLinks>();
        services.AddHostedService<Notifications.EmailOutboxWorker>(); // only where a host runs: the server
        services.TryAddSingleton(new Notifications.Webhooks.WebhookOptions());
        services.AddSingleton<Notifications.Webhooks.WebhookSender>();
        services.AddScoped<Notifications.Webhooks.WebhookChannels>();
        services.AddScoped<Notifications.Webhooks.WebhookDispatcher>();
        services.AddHostedService<Notifications.Webhooks.WebhookWorker>(); // only where a host runs: the server
        return services;
    }
}
