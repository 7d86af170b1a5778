using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace CertMgr.EndToEnd.Tests;

/// <summary>
/// The real <c>certmgr</c> executable, started as a separate process on a loopback port chosen by the OS,
/// with its own data directory.
/// </summary>
public sealed partial class CertMgrServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CertMgrServer(Process process) => _process = process;

    public string Url { get; private set; } = "";
    public string? InitialPassword { get; private set; }
    public string Output { get { lock (_stdout) { return _stdout.ToString(); } } }
    public string Errors { get { lock (_stderr) { return _stderr.ToString(); } } }

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The certmgr build output that matches this test build's configuration.</summary>
    public static string ExecutableDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(RepoRoot, "src", "CertMgr.Cli", "bin", configuration, "net10.0", "certmgr.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build src/CertMgr.Cli first.", path);
        }
    }

    public static Task<CertMgrServer> StartAsync(string home, params string[] extraArgs) =>
        StartAsync(home, new Dictionary<string, string>(), extraArgs);

    public static async Task<CertMgrServer> StartAsync(string home, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ExecutableDll);
        info.ArgumentList.Add("serve");
        info.ArgumentList.Add("--home");
        info.ArgumentList.Add(home);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add("https://127.0.0.1:0");
        foreach (var a in extraArgs)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment.Remove("CERTMGR_HOME");
        info.Environment.Remove("CERTMGR_DB");
        info.Environment.Remove("CERTMGR_URLS");
        info.Environment.Remove("CERTMGR_LOG_FORMAT");
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new CertMgrServer(process);
        process.OutputDataReceived += (_, e) => server.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnError(e.Data);
        process.Exited += (_, _) => server._listening.TrySetException(new InvalidOperationException(
            $"certmgr exited with {SafeExitCode(process)} before listening.\n{server.Output}\n{server.Errors}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        server.Url = await server._listening.Task.WaitAsync(TimeSpan.FromSeconds(90));
        return server;
    }

    private static string SafeExitCode(Process p)
    {
        try
        {
            return p.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    private string? _pendingPassword;

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stdout)
        {
            _stdout.AppendLine(line);
        }

        if (line.Contains("initial password", StringComparison.Ordinal))
        {
            _pendingPassword = "";
        }
        else if (_pendingPassword is not null && PasswordLine().Match(line) is { Success: true } m)
        {
            InitialPassword = m.Groups[1].Value;
            _pendingPassword = null;
        }

        if (ConsoleLine().Match(line) is { Success: true } c)
        {
            _listening.TrySetResult(c.Groups[1].Value.TrimEnd('/'));
        }
    }

    private void OnError(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.AppendLine(line);
        }
    }

    /// <summary>Stops the server the way a service manager does (SIGTERM) and waits for it to exit.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CertMgr.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("CertMgr.slnx not found above the test output.");
    }

    [GeneratedRegex(@"CertMgr console: (https?://[^\s""]+)")]
    private static partial Regex ConsoleLine();

    [GeneratedRegex(@"^\s{4}(\S+)\s*$")]
    private static partial Regex PasswordLine();
}
