using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace CertMgr.Core.Tests.Notifications;

/// <summary>What the in-process SMTP server answers to DATA.</summary>
public enum SmtpAnswer
{
    Accept,
    RejectPermanent,
    RejectTemporary,
}

/// <summary>One message the in-process server took, and whether its session was under TLS.</summary>
public sealed record ReceivedEmail(MimeMessage Message, bool Secure, string? User);

/// <summary>
/// A real SMTP server (the SmtpServer package) on a free loopback port, in-process: keeps every message it accepts, or
/// rejects with 554 / 451 as told. With <c>tls</c> it has a self-signed test certificate and offers STARTTLS (or
/// speaks TLS from the first byte with <c>implicitTls</c>); with a user it asks for AUTH after TLS.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private TestSmtpServer(int port, X509Certificate2? certificate, bool implicitTls, (string User, string Password)? login)
    {
        Port = port;
        Certificate = certificate;
        var options = new SmtpServerOptionsBuilder().ServerName("smtp.test").Endpoint(b =>
        {
            b.Endpoint(new IPEndPoint(IPAddress.Loopback, port)).IsSecure(implicitTls).AuthenticationRequired(login is not null);
            if (certificate is not null)
            {
                b.Certificate(certificate);
            }
        }).Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        if (login is { } l)
        {
            services.Add(new Authenticator(l.User, l.Password));
        }

        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }
    public X509Certificate2? Certificate { get; }
    public SmtpAnswer Answer { get; set; } = SmtpAnswer.Accept;
    public ConcurrentQueue<ReceivedEmail> Received { get; } = new();

    public static TestSmtpServer Start(bool tls = false, bool implicitTls = false, (string User, string Password)? login = null) =>
        new(TestPorts.Next(), tls || implicitTls ? SelfSigned() : null, implicitTls, login);

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        _stop.Dispose();
        Certificate?.Dispose();
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    private sealed class Store(TestSmtpServer owner) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            switch (owner.Answer)
            {
                case SmtpAnswer.RejectPermanent:
                    return Task.FromResult(new SmtpResponse(SmtpReplyCode.TransactionFailed, "5.7.1 Message rejected by policy"));
                case SmtpAnswer.RejectTemporary:
                    return Task.FromResult(new SmtpResponse(SmtpReplyCode.Aborted, "4.3.0 Try again later"));
            }

            using var stream = new MemoryStream(buffer.ToArray());
            var message = MimeMessage.Load(stream, cancellationToken);
            var user = context.Authentication.IsAuthenticated ? context.Authentication.User : null;
            owner.Received.Enqueue(new ReceivedEmail(message, context.Pipe.IsSecure, user));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }

    private sealed class Authenticator(string user, string password) : IUserAuthenticator
    {
        public Task<bool> AuthenticateAsync(ISessionContext context, string user1, string password1, CancellationToken cancellationToken) =>
            Task.FromResult(user1 == user && password1 == password);
    }
}
