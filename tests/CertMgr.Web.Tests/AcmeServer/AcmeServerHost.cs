using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertMgr.Core.Setup;
using CertMgr.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace CertMgr.Web.Tests.AcmeServer;

/// <summary>
/// CertMgr on a loopback HTTPS port with its ACME server on: the allow-list is <c>acme.test</c>, HTTP-01 validation
/// connects to 127.0.0.1 on <see cref="Http01Port"/> (where the client's standalone responder listens), DNS-01 asks
/// the given DNS server. The server's log is kept, to be shown when a client stalls.
/// </summary>
public sealed class AcmeServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly LogCapture _logs;

    private AcmeServerHost(string home, WebApplication app, LogCapture logs, int port, int http01Port)
    {
        Home = home;
        _app = app;
        _logs = logs;
        BaseAddress = new Uri($"https://127.0.0.1:{port}");
        Http01Port = http01Port;
        CaBundle = Path.Combine(home, "ca", "ca-cert.pem");
    }

    public string Home { get; }

    public Uri BaseAddress { get; }

    public string DirectoryUrl => BaseAddress + "acme/directory";

    public int Http01Port { get; }

    /// <summary>The built-in CA's root certificate (PEM): the trust for clients.</summary>
    public string CaBundle { get; }

    public IServiceProvider Services => _app.Services;

    public string Log => _logs.Text;

    public static async Task<AcmeServerHost> StartAsync(bool requireEab = false, string? dnsServer = null)
    {
        var home = Directory.CreateTempSubdirectory("certmgr-acmes-").FullName;
        var port = TestPorts.Next();
        var http01 = TestPorts.Next();
        var dns = dnsServer is null ? "" : $", \"DnsServer\": \"{dnsServer}\"";
        File.WriteAllText(Path.Combine(home, "certmgr.json"), $$"""
            { "Urls": "https://127.0.0.1:{{port}}",
              "AcmeServer": { "Enabled": true, "RequireEab": {{(requireEab ? "true" : "false")}}, "AllowedDomains": [ "acme.test" ],
                              "Http01Port": {{http01}}, "ValidationAddress": "127.0.0.1"{{dns}} } }
            """);
        var settings = CertMgrSettings.Resolve(home, null, _ => null);
        var logs = new LogCapture();
        var app = CertMgrWebApp.Build(settings, l =>
        {
            l.ClearProviders();
            l.AddProvider(logs);
        });
        await CertMgrWebApp.InitializeAsync(app, CancellationToken.None);
        await app.StartAsync();
        return new AcmeServerHost(home, app, logs, port, http01);
    }

    /// <summary>An HTTP client that trusts only the built-in CA.</summary>
    public HttpClient Client()
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(CaBundle);
        return new HttpClient(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Issuer == ca.Subject,
        })
        { BaseAddress = BaseAddress };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private sealed class LogCapture : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public string Text => string.Join('\n', _lines);

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCapture owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (owner._lines.Count < 5000)
                {
                    owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
                }
            }
        }
    }
}

/// <summary>Runs an ACME client process with a hard timeout; on timeout or failure the message has its output and the server log.</summary>
public static class ClientProcess
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public sealed record Outcome(int ExitCode, string Output);

    public static async Task<Outcome> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> env, AcmeServerHost server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            start.Environment[k] = v;
        }

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var lockObject = new Lock();
        process.OutputDataReceived += (_, e) => { lock (lockObject) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (lockObject) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(file)} did not finish within {Timeout.TotalSeconds} s.\n--- client output ---\n{output}\n--- server log ---\n{server.Log}");
        }

        process.WaitForExit();
        lock (lockObject)
        {
            return new Outcome(process.ExitCode, output.ToString());
        }
    }

    public static void AssertSucceeded(Outcome outcome, string what, AcmeServerHost server)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(server);
        Assert.True(outcome.ExitCode == 0, $"{what} failed with exit code {outcome.ExitCode}.\n--- client output ---\n{outcome.Output}\n--- server log ---\n{server.Log}");
    }

    /// <summary>openssl verify of a certificate against the built-in CA's root.</summary>
    public static async Task AssertVerifiesAsync(string certificatePem, AcmeServerHost server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var outcome = await RunAsync("/usr/bin/openssl", ["verify", "-CAfile", server.CaBundle, certificatePem], new Dictionary<string, string>(), server);
        Assert.True(outcome.ExitCode == 0 && outcome.Output.Contains(": OK", StringComparison.Ordinal), $"openssl verify: {outcome.Output}");
    }
}
