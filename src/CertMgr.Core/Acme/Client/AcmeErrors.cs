using System.Globalization;
using CertMgr.Core.Common;

namespace CertMgr.Core.Acme.Client;

/// <summary>ACME problem documents and transport failures as CertMgr <see cref="Error"/>s a person can act on.</summary>
public static class AcmeErrors
{
    private const string Prefix = "urn:ietf:params:acme:error:";

    /// <summary>The short ACME error type (badNonce, rateLimited, ...) of a problem, or null.</summary>
    public static string? ShortType(AcmeProblem? problem) =>
        problem?.Type is { } t && t.StartsWith(Prefix, StringComparison.Ordinal) ? t[Prefix.Length..] : problem?.Type;

    /// <summary>
    /// Maps a problem to an error: code <c>acme-{type}</c>, the CA's detail in the message. rateLimited says when to
    /// retry (from Retry-After), unavailable kinds are <see cref="ErrorKind.Unavailable"/>.
    /// </summary>
    public static Error FromProblem(AcmeProblem? problem, string doing, DateTimeOffset? retryAt = null)
    {
        var type = ShortType(problem) ?? "serverInternal";
        var detail = string.IsNullOrWhiteSpace(problem?.Detail) ? "no detail given" : Clip(problem!.Detail!);
        if (problem?.Subproblems is { Count: > 0 } subs)
        {
            detail += " (" + string.Join("; ", subs.Take(5).Select(s => $"{ShortType(s)}: {Clip(s.Detail ?? "")}")) + ")";
        }

        var code = "acme-" + ToKebab(type);
        return type switch
        {
            "rateLimited" => Error.Unavailable(code, $"The CA rate-limited {doing}: {detail}. "
                + (retryAt is { } at ? $"Retry after {at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC." : "Retry later.")),
            "serverInternal" => Error.Unavailable(code, $"The CA failed {doing} with an internal error: {detail}."),
            "externalAccountRequired" => new Error(code, $"The CA requires External Account Binding for {doing}: enter the EAB key id and HMAC key the CA gave you. ({detail})"),
            "unauthorized" => Error.Forbidden(code, $"The CA refused {doing} as unauthorized: {detail}."),
            "accountDoesNotExist" => Error.NotFound(code, $"The CA has no account for this key: {detail}. Register the account first."),
            "invalidProfile" => new Error(code, $"The CA no longer offers the profile this product names ({detail}). Register the account again to refresh the products, then choose another."),
            "rejectedIdentifier" or "unsupportedIdentifier" => new Error(code, $"The CA will not issue for these names: {detail}."),
            _ => new Error(code, $"The CA refused {doing} ({type}): {detail}."),
        };
    }

    public static Error Unreachable(string doing, string why) =>
        Error.Unavailable("acme-unreachable", $"The ACME server could not be reached for {doing}: {Clip(why)}.");

    public static Error Protocol(string doing, string why) =>
        Error.Unavailable("acme-protocol", $"The ACME server answered {doing} with something CertMgr could not use: {Clip(why)}.");

    private static string Clip(string text) => text.Length > 500 ? text[..500] + "…" : text;

    private static string ToKebab(string type)
    {
        var chars = new System.Text.StringBuilder();
        foreach (var c in type)
        {
            if (char.IsUpper(c))
            {
                chars.Append('-').Append(char.ToLowerInvariant(c));
            }
            else if (char.IsAsciiLetterOrDigit(c))
            {
                chars.Append(c);
            }
        }

        return chars.ToString();
    }
}
