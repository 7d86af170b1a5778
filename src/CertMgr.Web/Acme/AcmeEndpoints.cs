using System.Text;
using System.Text.Json.Nodes;
using CertMgr.Core.Acme.Server;
using CertMgr.Core.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertMgr.Web.Acme;

/// <summary>
/// The built-in CA's ACME server (RFC 8555) at <c>/acme/</c> on the console's address: the directory, new-nonce, and
/// the JWS-authenticated POST resources. Every response carries a fresh Replay-Nonce and Link rel="index"; errors
/// are RFC 8555 problem documents (application/problem+json). Off unless certmgr.json's "AcmeServer.Enabled" is true.
/// </summary>
public static partial class AcmeEndpoints
{
    public const string Prefix = "/acme";

    private delegate Task<Result<AcmeReply>> Action(IServiceProvider services, AcmeUrls urls, AcmeRequest request, CancellationToken ct);

    public static IEndpointRouteBuilder MapAcmeServer(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var acme = app.MapGroup(Prefix).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery();
        acme.MapGet("/directory", Directory);
        acme.MapMethods("/new-nonce", ["HEAD", "GET"], NewNonce);
        acme.MapPost("/new-account", NewAccount);
        acme.MapPost("/new-order", NewOrder);
        acme.MapPost("/revoke-cert", RevokeCert);
        acme.MapPost("/key-change", KeyChange);
        acme.MapPost("/acct/{id}", (HttpContext h, string id) => Post(h, AcmeKeyMode.Kid, (s, u, r, ct) => WithId(id, g => s.GetRequiredService<AcmeAccounts>().UpdateAsync(u, r, g, ct))));
        acme.MapPost("/acct/{id}/orders", (HttpContext h, string id) => Post(h, AcmeKeyMode.Kid, (s, u, r, ct) => WithId(id, g => s.GetRequiredService<AcmeOrders>().ListOrdersAsync(u, r, g, ct))));
        acme.MapPost("/order/{id}", (HttpContext h, string id) => Post(h, AcmeKeyMode.Kid, (s, u, r, ct) => WithId(id, g => s.GetRequiredService<AcmeOrders>().GetOrderAsync(u, r, g, ct))));
        acme.MapPost("/order/{id}/finalize", (HttpContext h, string id) => Post(h, AcmeKeyMode.Kid, (s, u, r, ct) => WithId(id, g => s.GetRequiredService<AcmeFinalizer>().FinalizeAsync(u, r, g, ct))));
        acme.MapPost("/authz/{id}", (HttpContext h, string id) => Post(h, AcmeKeyMode.Kid, (s, u, r, ct) => WithId(id, g => s.GetRequiredService<AcmeOrders>().GetAuthorizationAsync(u, r, g, ct))));
        acme.MapPost("/chall/{id}", (HttpContext h, string id) => Post(h, AcmeKeyMode.Kid, (s, u, r, ct) => WithId(id, g => s.GetRequiredService<AcmeOrders>().ChallengeAsync(u, r, g, ct))));
        acme.MapPost("/cert/{id}", (HttpContext h, string id) => Post(h, AcmeKeyMode.Kid, (s, u, r, ct) => WithId(id, g => s.GetRequiredService<AcmeOrders>().CertificateAsync(u, r, g, ct))));
        acme.MapGet("/renewal-info/{certId}", async (HttpContext h, string certId) => { var r = await ActivatorUtilities.CreateInstance<AcmeRenewalInfo>(h.RequestServices).GetAsync(certId, h.RequestAborted); await (r.IsSuccess ? WriteAsync(h, r.Value) : WriteProblemAsync(h, r.Error!)); });
        return app;
    }

    private static Task NewAccount(HttpContext http) =>
        Post(http, AcmeKeyMode.Jwk, (s, u, r, ct) => s.GetRequiredService<AcmeAccounts>().NewAccountAsync(u, r, ct));

    private static Task NewOrder(HttpContext http) =>
        Post(http, AcmeKeyMode.Kid, (s, u, r, ct) => s.GetRequiredService<AcmeOrders>().NewOrderAsync(u, r, ct));

    private static Task KeyChange(HttpContext http) =>
        Post(http, AcmeKeyMode.Kid, (s, u, r, ct) => s.GetRequiredService<AcmeAccounts>().KeyChangeAsync(u, r, ct));

    private static Task RevokeCert(HttpContext http) =>
        Post(http, AcmeKeyMode.Either, (s, _, r, ct) => s.GetRequiredService<AcmeOrders>().RevokeAsync(r, ct));

    private static AcmeUrls UrlsOf(HttpRequest request) => new($"{request.Scheme}://{request.Host}{Prefix}");

    private static async Task Directory(HttpContext http)
    {
        var options = await http.RequestServices.GetRequiredService<AcmeServerSettings>().EffectiveAsync(http.RequestAborted);
        if (!options.Enabled)
        {
            await WriteProblemAsync(http, AcmeProblems.NotFound("The ACME server is not enabled."));
            return;
        }

        var urls = UrlsOf(http.Request);
        var directory = new JsonObject
        {
            ["newNonce"] = urls.NewNonce,
            ["newAccount"] = urls.NewAccount,
            ["newOrder"] = urls.NewOrder,
            ["revokeCert"] = urls.RevokeCert,
            ["keyChange"] = urls.KeyChange,
            ["renewalInfo"] = urls.Base + "/renewal-info",
            ["meta"] = Meta(options),
        };
        await WriteAsync(http, new AcmeReply(200, directory));
    }

    /// <summary>The directory's meta: EAB required or not, and the profiles offered (draft-ietf-acme-profiles).</summary>
    private static JsonObject Meta(AcmeServerOptions options)
    {
        var meta = new JsonObject { ["externalAccountRequired"] = options.RequireEab };
        if (options.Profiles.Count > 0)
        {
            meta["profiles"] = new JsonObject(options.Profiles.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)p.Description)));
        }

        return meta;
    }

    private static async Task NewNonce(HttpContext http)
    {
        if (!(await http.RequestServices.GetRequiredService<AcmeServerSettings>().EffectiveAsync(http.RequestAborted)).Enabled)
        {
            await WriteProblemAsync(http, AcmeProblems.NotFound("The ACME server is not enabled."));
            return;
        }

        Headers(http);
        http.Response.StatusCode = HttpMethods.IsHead(http.Request.Method) ? 200 : 204;
    }

    private static Task<Result<AcmeReply>> WithId(string id, Func<Guid, Task<Result<AcmeReply>>> action) =>
        Guid.TryParseExact(id, "N", out var guid) ? action(guid) : Task.FromResult<Result<AcmeReply>>(AcmeProblems.NotFound("No such resource."));

    private static async Task Post(HttpContext http, AcmeKeyMode mode, Action action)
    {
        var services = http.RequestServices;
        var options = await services.GetRequiredService<AcmeServerSettings>().EffectiveAsync(http.RequestAborted);
        if (!options.Enabled)
        {
            await WriteProblemAsync(http, AcmeProblems.NotFound("The ACME server is not enabled."));
            return;
        }

        if (!string.Equals(http.Request.ContentType?.Split(';')[0].Trim(), "application/jose+json", StringComparison.OrdinalIgnoreCase))
        {
            await WriteProblemAsync(http, AcmeProblems.Malformed("The Content-Type must be application/jose+json."), 415);
            return;
        }

        var body = await ReadBodyAsync(http.Request, options.MaxBodyBytes, http.RequestAborted);
        if (body is null)
        {
            await WriteProblemAsync(http, AcmeProblems.TooLarge($"The request body is larger than {options.MaxBodyBytes} bytes."));
            return;
        }

        var urls = UrlsOf(http.Request);
        var requestUrl = urls.Base + http.Request.Path.Value![Prefix.Length..];
        var auth = await services.GetRequiredService<AcmeRequestAuth>().AuthenticateAsync(body, requestUrl, urls, mode, http.RequestAborted);
        if (!auth.IsSuccess)
        {
            await WriteProblemAsync(http, auth.Error!);
            return;
        }

        using var key = auth.Value.Key;
        Result<AcmeReply> reply;
        try
        {
            reply = await action(services, urls, auth.Value, http.RequestAborted);
        }
        catch (Exception ex) when (!http.RequestAborted.IsCancellationRequested)
        {
            // The edge of the ACME server: a fault becomes serverInternal (the client sees a problem, the log the cause).
            LogFault(services.GetRequiredService<ILoggerFactory>().CreateLogger("CertMgr.Web.Acme"), http.Request.Path.Value!, ex);
            reply = AcmeProblems.ServerInternal("The server failed to handle the request.");
        }

        if (reply.IsSuccess)
        {
            await WriteAsync(http, reply.Value);
        }
        else
        {
            await WriteProblemAsync(http, reply.Error!);
        }
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int max, CancellationToken ct)
    {
        if (request.ContentLength > max)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }

    private static void Headers(HttpContext http)
    {
        var nonce = http.RequestServices.GetRequiredService<AcmeNonces>().Next();
        http.Response.Headers["Replay-Nonce"] = nonce;
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Append("Link", UrlsOf(http.Request).IndexLink);
    }

    private static async Task WriteAsync(HttpContext http, AcmeReply reply)
    {
        Headers(http);
        http.Response.StatusCode = reply.Status;
        if (reply.Location is not null)
        {
            http.Response.Headers.Location = reply.Location;
        }

        foreach (var link in reply.Links ?? [])
        {
            http.Response.Headers.Append("Link", link);
        }

        if (reply.Pem is not null)
        {
            http.Response.ContentType = "application/pem-certificate-chain";
            await http.Response.Body.WriteAsync(Encoding.ASCII.GetBytes(reply.Pem));
        }
        else if (reply.Json is not null)
        {
            http.Response.ContentType = reply.Problem ? "application/problem+json" : "application/json";
            await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(reply.Json.ToJsonString()));
        }
    }

    private static async Task WriteProblemAsync(HttpContext http, Error error, int? status = null)
    {
        Headers(http);
        var document = AcmeProblems.Document(error);
        var code = status ?? AcmeProblems.StatusOf(error);
        document["status"] = code;
        http.Response.StatusCode = code;
        http.Response.ContentType = "application/problem+json";
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(document.ToJsonString()));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "ACME server: request to {Path} failed")]
    private static partial void LogFault(ILogger logger, string path, Exception exception);
}
