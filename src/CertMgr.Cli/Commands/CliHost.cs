using System.CommandLine;
using CertMgr.Core.Common;
using CertMgr.Core.Setup;
using CertMgr.Data.Secrets;

namespace CertMgr.Cli.Commands;

/// <summary>
/// The core services for a verb other than serve: resolves the settings (<c>--home</c>, environment, certmgr.json),
/// initialises the data directory the way serve does when it is new, and hands out a scope.
/// </summary>
internal sealed class CliHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private CliHost(ServiceProvider provider, CertMgrSettings settings)
    {
        _provider = provider;
        Settings = settings;
        Scope = provider.CreateAsyncScope();
    }

    public CertMgrSettings Settings { get; }
    public AsyncServiceScope Scope { get; }
    public T Get<T>() where T : notnull => Scope.ServiceProvider.GetRequiredService<T>();

    /// <summary>The host, or the exit code and one-line message when the data directory cannot be used.</summary>
    /// <param name="parse">The parse result, for <c>--home</c>.</param>
    /// <param name="error">Where the one-line failure and the initial admin password notice go (stdout may carry data).</param>
    /// <param name="ensureCa">False for <c>ca setup</c>, which makes the CA itself.</param>
    /// <param name="ct">Cancellation.</param>
    /// <param name="readOnly">
    /// True for a verb that only reads: an absent data directory is an error, never created (nor a CA in it).
    /// </param>
    public static async Task<(CliHost? Host, int ExitCode)> OpenAsync(ParseResult parse, TextWriter error, bool ensureCa, CancellationToken ct, bool readOnly = false)
    {
        CertMgrSettings settings;
        ServiceProvider provider;
        try
        {
            settings = CertMgrSettings.Resolve(parse.GetValue(GlobalOptions.Home), null, Environment.GetEnvironmentVariable);
            if (readOnly && !settings.Home.IsInitialized)
            {
                await error.WriteLineAsync($"certmgr: there is no CertMgr data directory at {settings.Home.Root}; give --home DIR or set {CertMgrSettings.HomeVariable}.");
                return (null, CliApp.ExitFailure);
            }

            var services = new ServiceCollection();
            services.AddLogging();
            services.AddCertMgrCore(settings);
            provider = services.BuildServiceProvider();
        }
        catch (SettingsException ex)
        {
            await error.WriteLineAsync($"certmgr: {ex.Message}");
            return (null, CliApp.ExitUsage);
        }
        catch (Exception ex) when (ex is SecretUnavailableException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"certmgr: cannot open the data directory: {ex.Message}");
            return (null, CliApp.ExitFailure);
        }

        var host = new CliHost(provider, settings);
        try
        {
            var outcome = await host.Get<CertMgrInitializer>().InitializeAsync(ct, ensureCa && !readOnly);
            if (outcome.InitialAdminPassword is { } password)
            {
                await ServeCommand.PrintInitialPasswordAsync(error, password, settings.Home, [.. settings.Urls.Select(u => u.GetLeftPart(UriPartial.Authority))]);
            }
        }
        catch (Exception ex) when (ex is SecretUnavailableException or IOException or UnauthorizedAccessException)
        {
            await host.DisposeAsync();
            await error.WriteLineAsync($"certmgr: cannot initialise {settings.Home.Root}: {ex.Message}");
            return (null, CliApp.ExitFailure);
        }

        return (host, CliApp.ExitOk);
    }

    /// <summary>
    /// The data directory a verb would use, and whether it already holds a CertMgr installation; null when the
    /// settings cannot be resolved (<see cref="OpenAsync"/> then reports why).
    /// </summary>
    public static (DataDirectory Home, bool Explicit)? FindHome(ParseResult parse)
    {
        try
        {
            var option = parse.GetValue(GlobalOptions.Home);
            var settings = CertMgrSettings.Resolve(option, null, Environment.GetEnvironmentVariable);
            var explicitHome = !string.IsNullOrWhiteSpace(option) || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(CertMgrSettings.HomeVariable));
            return (settings.Home, explicitHome);
        }
        catch (SettingsException)
        {
            return null;
        }
    }

    /// <summary>One line for an expected failure, exit code 1.</summary>
    public static async Task<int> FailAsync(TextWriter error, Error failure)
    {
        await error.WriteLineAsync($"certmgr: {failure.Message}");
        return CliApp.ExitFailure;
    }

    public static async Task<int> UsageAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync($"certmgr: {message} Run 'certmgr --help' for usage.");
        return CliApp.ExitUsage;
    }

    /// <summary>Writes a file readable only by its owner (keys, PKCS#12).</summary>
    public static async Task WritePrivateFileAsync(string path, byte[] content, CancellationToken ct)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var stream = new FileStream(path, options);
        await stream.WriteAsync(content, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await Scope.DisposeAsync();
        await _provider.DisposeAsync();
    }
}
