using System.Diagnostics.CodeAnalysis;

namespace CertMgr.Core.Common;

/// <summary>
/// What kind of expected failure an <see cref="Error"/> is. Set where the failure arises (in Core); the edges
/// translate it once: an HTTP status in the REST API, an exit code in the CLI.
/// </summary>
public enum ErrorKind
{
    /// <summary>The input is wrong (400).</summary>
    Validation,

    /// <summary>The thing named by the request does not exist (404).</summary>
    NotFound,

    /// <summary>The request is valid but the current state refuses it: wrong step, already open, name taken (409).</summary>
    Conflict,

    /// <summary>The caller may not do this (403).</summary>
    Forbidden,

    /// <summary>Something needed is not available right now: no CA, remote peer down (503).</summary>
    Unavailable,

    /// <summary>The input is over a size or count limit (413).</summary>
    TooLarge,
}

/// <summary>
/// An expected failure: a stable machine code (kebab-case, e.g. <c>wrong-password</c>), a message a person can act
/// on, its <see cref="ErrorKind"/> and, for validation failures, optional per-field messages. Messages never contain
/// key material, passwords or tokens.
/// </summary>
public sealed record Error(string Code, string Message, ErrorKind Kind = ErrorKind.Validation)
{
    /// <summary>Per-field messages (field name as the caller named it, e.g. the property name) or null.</summary>
    public IReadOnlyDictionary<string, string[]>? Fields { get; init; }

    public static Error NotFound(string code, string message) => new(code, message, ErrorKind.NotFound);

    public static Error Conflict(string code, string message) => new(code, message, ErrorKind.Conflict);

    public static Error Forbidden(string code, string message) => new(code, message, ErrorKind.Forbidden);

    public static Error Unavailable(string code, string message) => new(code, message, ErrorKind.Unavailable);

    public static Error TooLarge(string code, string message) => new(code, message, ErrorKind.TooLarge);

    /// <summary>A validation failure with per-field messages.</summary>
    public static Error Invalid(string code, string message, IReadOnlyDictionary<string, string[]> fields) =>
        new(code, message) { Fields = fields };

    /// <summary>A validation failure about one field.</summary>
    public static Error Invalid(string code, string message, string field) =>
        Invalid(code, message, new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>The outcome of an operation that can fail in an expected way.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T value)
    {
        _value = value;
        Error = null;
    }

    private Result(Error error)
    {
        _value = default;
        Error = error;
    }

    public Error? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>The value; reading it from a failure is a bug.</summary>
    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"No value: {Error}");

    public static Result<T> Success(T value) => new(value);

    public static Result<T> Failure(Error error) => new(error ?? throw new ArgumentNullException(nameof(error)));

    public static Result<T> Failure(string code, string message) => new(new Error(code, message));

    public static implicit operator Result<T>(T value) => new(value);

    public static implicit operator Result<T>(Error error) => Failure(error);
}

/// <summary>A result without a value.</summary>
public readonly struct Result
{
    private Result(Error? error) => Error = error;

    public Error? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public static Result Success() => new(null);

    public static Result Failure(string code, string message) => new(new Error(code, message));

    public static implicit operator Result(Error error) => new(error);
}
