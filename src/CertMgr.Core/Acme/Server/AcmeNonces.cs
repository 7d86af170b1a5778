using System.Collections.Concurrent;
using System.Security.Cryptography;
using CertMgr.Core.Acme.Client;

namespace CertMgr.Core.Acme.Server;

/// <summary>
/// Replay nonces (RFC 8555 6.5): random, single use, kept in memory for a bounded time and number. A restart forgets
/// them, so every nonce of the previous process is refused with badNonce and clients retry with a fresh one.
/// </summary>
public sealed class AcmeNonces(TimeProvider time)
{
    private const int MaxOutstanding = 100_000;
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _issued = new(StringComparer.Ordinal);

    public string Next()
    {
        if (_issued.Count >= MaxOutstanding)
        {
            var now = time.GetUtcNow();
            foreach (var (nonce, at) in _issued)
            {
                if (now - at > Lifetime || _issued.Count >= MaxOutstanding)
                {
                    _issued.TryRemove(nonce, out _);
                }
            }
        }

        var value = Base64Url.Encode(RandomNumberGenerator.GetBytes(16));
        _issued[value] = time.GetUtcNow();
        return value;
    }

    /// <summary>Uses up a nonce; false if it was never issued here, is used already, or is too old.</summary>
    public bool TryConsume(string? nonce) =>
        nonce is not null && _issued.TryRemove(nonce, out var at) && time.GetUtcNow() - at <= Lifetime;
}
