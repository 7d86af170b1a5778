using System.Text.Json.Nodes;
using CertMgr.Core.Common;

namespace CertMgr.Core.Acme.Server;

/// <summary>
/// RFC 8555 6.7 errors as <see cref="Error"/> values: the code is the error type after
/// <c>urn:ietf:params:acme:error:</c>; the web edge turns them into problem documents with the status below.
/// </summary>
public static class AcmeProblems
{
    public const string Namespace = "urn:ietf:params:acme:error:";

    public static Error Malformed(string detail) => new("malformed", detail);
    public static Error BadNonce(string detail) => new("badNonce", detail);
    public static Error BadSignatureAlgorithm(string detail) => new("badSignatureAlgorithm", detail);
    public static Error Unauthorized(string detail) => new("unauthorized", detail, ErrorKind.Forbidden);
    public static Error AccountDoesNotExist(string detail) => new("accountDoesNotExist", detail);
    public static Error RejectedIdentifier(string detail) => new("rejectedIdentifier", detail);
    public static Error UnsupportedIdentifier(string detail) => new("unsupportedIdentifier", detail);
    public static Error BadCsr(string detail) => new("badCSR", detail);
    public static Error OrderNotReady(string detail) => new("orderNotReady", detail, ErrorKind.Forbidden);
    public static Error ExternalAccountRequired(string detail) => new("externalAccountRequired", detail, ErrorKind.Forbidden);
    public static Error AlreadyRevoked(string detail) => new("alreadyRevoked", detail);
    public static Error AlreadyReplaced(string detail) => new("alreadyReplaced", detail, ErrorKind.Conflict);
    public static Error InvalidProfile(string detail) => new("invalidProfile", detail);
    public static Error BadRevocationReason(string detail) => new("badRevocationReason", detail);
    public static Error NotFound(string detail) => new("malformed", detail, ErrorKind.NotFound);
    public static Error ServerInternal(string detail) => new("serverInternal", detail, ErrorKind.Unavailable);
    public static Error Incorrect(string detail) => new("incorrectResponse", detail, ErrorKind.Forbidden);
    public static Error Connection(string detail) => new("connection", detail);
    public static Error Dns(string detail) => new("dns", detail);
    public static Error Conflict(string detail) => new("malformed", detail, ErrorKind.Conflict);
    public static Error TooLarge(string detail) => new("malformed", detail, ErrorKind.TooLarge);

    /// <summary>The HTTP status of a problem.</summary>
    public static int StatusOf(Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Kind switch
        {
            ErrorKind.NotFound => 404,
            ErrorKind.Forbidden => 403,
            ErrorKind.TooLarge => 413,
            ErrorKind.Conflict => 409,
            ErrorKind.Unavailable => 500,
            _ => 400,
        };
    }

    /// <summary>The problem document (RFC 7807) of an error.</summary>
    public static JsonObject Document(Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new JsonObject
        {
            ["type"] = Namespace + error.Code,
            ["detail"] = error.Message,
            ["status"] = StatusOf(error),
        };
    }
}
