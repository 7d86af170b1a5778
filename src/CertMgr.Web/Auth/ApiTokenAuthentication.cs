using System.Security.Claims;
using System.Text.Encodings.Web;
using CertMgr.Core.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CertMgr.Web.Auth;

/// <summary>
/// <c>Authorization: Bearer cmt_…</c> on <c>/api</c>: the token's user with the same claims a console session gets
/// (role, security stamp, must-change-password). Failures are 401/403 problem documents, never redirects.
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokens tokens, SignInThrottle throttle)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    private const string BearerPrefix = "Bearer ";
    private const string ThrottledKey = "CertMgr.ApiToken.Throttled";

    /// <summary>The presented bearer token, or null when the request carries none.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? header[BearerPrefix.Length..].Trim() : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = BearerToken(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        // Bad tokens count against the client address like failed sign-ins; a throttled address is refused (429).
        var address = Context.Connection.RemoteIpAddress?.ToString();
        if (throttle.AddressBlockedFor(address) is not null)
        {
            Context.Items[ThrottledKey] = true;
            return AuthenticateResult.Fail("Too many failed sign-ins from this address.");
        }

        var user = await tokens.ValidateAsync(presented, Context.RequestAborted);
        if (!user.IsSuccess)
        {
            throttle.RecordFailure(null, address);
            Context.Items[nameof(ApiTokenAuthenticationHandler)] = user.Error.Message;
            return AuthenticateResult.Fail(user.Error.Message);
        }

        var cookiePrincipal = CertMgrClaims.PrincipalFor(user.Value);
        var identity = new ClaimsIdentity(cookiePrincipal.Claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(ThrottledKey))
        {
            Response.Headers.RetryAfter = ((int)SignInThrottle.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return WriteProblemAsync(StatusCodes.Status429TooManyRequests, "Too many failed sign-ins from this address. Try again later.", UserAccounts.TooManyAttemptsCode);
        }

        var reason = Context.Items[nameof(ApiTokenAuthenticationHandler)] as string;
        Response.Headers.WWWAuthenticate = reason is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, reason ?? "Authentication required.", "unauthorized");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "The token's user lacks the role this operation needs.", "forbidden");

    private Task WriteProblemAsync(int status, string title, string code) =>
        Results.Problem(title: title, statusCode: status, type: $"https://certmgr.dev/problems/{code}",
            extensions: new Dictionary<string, object?> { ["code"] = code }).ExecuteAsync(Context);
}
