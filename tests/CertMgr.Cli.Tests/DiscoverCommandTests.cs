using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CertMgr.Core.Tests.Probe;

namespace CertMgr.Cli.Tests;

/// <summary>
/// <c>certmgr discover</c> as a real process against loopback servers on 127.0.79.0/29: a TLS server with a
/// self-signed certificate on .1, a plain-HTTP responder on .2, every other address closed.
/// </summary>
public sealed class DiscoverCommandTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("certmgr-discover-").FullName;
    private readonly List<LoopbackServer> _servers = [];
    private X509Certificate2 _certificate = null!;
    private int _port;

    public Task InitializeAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=discover.cli.test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Parse("127.0.79.1"));
        request.CertificateExtensions.Add(san.Build());
        var now = TimeProvider.System.GetUtcNow();
        using var self = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(100));
        _certificate = X509CertificateLoader.LoadPkcs12(self.Export(X509ContentType.Pkcs12), null);
        _port = TestPorts.Next();

        Serve("127.0.79.1", async (socket, ct) =>
        {
            await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, ct);
            await Task.Delay(200, ct);
        });
        Serve("127.0.79.2", async (socket, ct) =>
        {
            await socket.ReceiveAsync(new byte[4096], ct);
            await socket.SendAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), ct);
        });
        return Task.CompletedTask;
    }

    private void Serve(string address, Func<Socket, CancellationToken, Task> handle) =>
        _servers.Add(LoopbackServer.On(IPAddress.Parse(address), _port, handle));

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _certificate.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private async Task<(int Code, string Out, string Err)> CertmgrAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _work };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "certmgr.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment.Remove("CERTMGR_HOME");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task Discover_JsonWithoutDataDirectory_FindsTheTlsServerAndWritesNothing()
    {
        var (code, output, error) = await CertmgrAsync("discover", "127.0.79.0/29", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "1500", "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(8, root.GetProperty("targets").GetInt32());
        Assert.Equal(1, root.GetProperty("nonTls").GetInt32());
        Assert.Equal(6, root.GetProperty("unreachable").GetInt32());
        Assert.True(root.GetProperty("seconds").GetDouble() < 10);
        var found = Assert.Single(root.GetProperty("found").EnumerateArray());
        Assert.Equal("127.0.79.1", found.GetProperty("address").GetString());
        Assert.Equal(_port, found.GetProperty("port").GetInt32());
        Assert.Equal(JsonValueKind.Null, found.GetProperty("sni").ValueKind);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(_certificate.RawData)), found.GetProperty("sha256").GetString());
        Assert.Equal(40, found.GetProperty("sha1").GetString()!.Length);
        Assert.Equal("CN=discover.cli.test", found.GetProperty("subject").GetString());
        Assert.Equal("discover.cli.test", found.GetProperty("commonName").GetString());
        Assert.Equal("CN=discover.cli.test", found.GetProperty("issuer").GetString());
        Assert.EndsWith("Z", found.GetProperty("notAfter").GetString(), StringComparison.Ordinal);
        Assert.True(found.GetProperty("selfSigned").GetBoolean());
        Assert.False(found.GetProperty("trusted").GetBoolean()); // judged against the shipped public roots
        Assert.True(found.GetProperty("hostnameMatch").GetBoolean());
        Assert.Equal("EC", found.GetProperty("keyAlgorithm").GetString());
        Assert.Equal(256, found.GetProperty("keySize").GetInt32());
        Assert.Equal("ecdsa-with-SHA256", found.GetProperty("signatureAlgorithm").GetString());
        Assert.Equal(1, found.GetProperty("chainLength").GetInt32());
        Assert.False(found.GetProperty("managed").GetBoolean());
        Assert.Contains("8 endpoints", error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_work)); // no ./certmgr-data
    }

    [Fact]
    public async Task Discover_Csv_HeaderAndOneRow()
    {
        var (code, output, error) = await CertmgrAsync("discover", "127.0.79.1", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--csv");

        Assert.True(code == 0, error);
        var lines = output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("address,port,sni,sha1,sha256", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"127.0.79.1,{_port},,", lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.79.1", "0")]
    [InlineData("127.0.79.1", "443-")]
    [InlineData("127.0.79.999", "443")]
    [InlineData("10.0.0.0/8", "443")]
    public async Task Discover_BadInput_UsageExitTwoOneLine(string target, string ports)
    {
        var (code, output, error) = await CertmgrAsync("discover", target, "-p", ports);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.StartsWith("certmgr: ", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_work));
    }
}
