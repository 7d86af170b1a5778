using System.Collections.Concurrent;

namespace CertMgr.Core.Security;

/// <summary>
/// Failed sign-ins (password or API token) counted in memory over a sliding window, per client address and per
/// (account, address). Design, against guessing without handing anyone a lever to lock others out:
/// <list type="bullet">
/// <item>An address with <see cref="MaxFailuresPerAddress"/> failures in <see cref="Window"/> (any user names, known or
/// not, and bad API tokens) is refused outright until its failures age out: this stops one client from guessing,
/// and the answer is about the address, the same for every user name, so it reveals no account.</item>
/// <item>The account lockout is kept but counted per (account, address): <see cref="MaxFailuresPerAccount"/> wrong
/// passwords for <c>admin</c> from one address lock <c>admin</c> for that address only, answered exactly like a wrong
/// password. Someone hammering <c>admin</c> no longer locks the real admin out from their own address.</item>
/// </list>
/// A process restart forgets the counts (a restart is not something an attacker controls). Memory stays bounded:
/// each key keeps at most its limit of timestamps, and expired keys are swept once the table grows.
/// </summary>
public sealed class SignInThrottle(TimeProvider time)
{
    public const int MaxFailuresPerAddress = 20;
    public const int MaxFailuresPerAccount = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    private const int SweepAbove = 10_000;

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _blockReported = new(StringComparer.Ordinal);

    /// <summary>How long until the address may try again; null when it may now.</summary>
    public TimeSpan? AddressBlockedFor(string? address) => BlockedFor(AddressKey(address), MaxFailuresPerAddress);

    /// <summary>
    /// True once per block of the address (the first refused attempt while it lasts): that one is audited, the rest of
    /// a brute-force run is not, so an attacker cannot flood the audit log by being refused.
    /// </summary>
    public bool FirstRefusalOfBlock(string? address, TimeSpan blockedFor)
    {
        var now = time.GetUtcNow();
        var key = AddressKey(address);
        if (_blockReported.TryGetValue(key, out var until) && until > now)
        {
            return false;
        }

        _blockReported[key] = now + blockedFor;
        if (_blockReported.Count > SweepAbove)
        {
            foreach (var (k, u) in _blockReported)
            {
                if (u <= now)
                {
                    _blockReported.TryRemove(k, out _);
                }
            }
        }

        return true;
    }

    /// <summary>Whether the account is locked for sign-ins from this address.</summary>
    public bool IsAccountLocked(string normalizedUserName, string? address) =>
        BlockedFor(PairKey(normalizedUserName, address), MaxFailuresPerAccount) is not null;

    /// <summary>Counts a failure for the address and, when a user name was given, for the (account, address) pair.</summary>
    public void RecordFailure(string? normalizedUserName, string? address)
    {
        var now = time.GetUtcNow();
        Add(AddressKey(address), MaxFailuresPerAddress, now);
        if (normalizedUserName is not null)
        {
            Add(PairKey(normalizedUserName, address), MaxFailuresPerAccount, now);
        }

        if (_failures.Count > SweepAbove)
        {
            Sweep(now);
        }
    }

    /// <summary>A successful sign-in clears the (account, address) count, not the address's.</summary>
    public void RecordSuccess(string normalizedUserName, string? address) => _failures.TryRemove(PairKey(normalizedUserName, address), out _);

    /// <summary>The addresses this account is locked for now (its own failures from each), for the Users screen.</summary>
    public IReadOnlyList<string> LockedAddresses(string normalizedUserName)
    {
        var prefix = PairKey(normalizedUserName, null);
        return [.. _failures.Keys
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && BlockedFor(k, MaxFailuresPerAccount) is not null)
            .Select(k => k[prefix.Length..])
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// An administrator's unlock: forgets the account's failures from every address and the failures of those
    /// addresses themselves, so the user can sign in again at once from where they were locked out.
    /// Returns the addresses that had failures.
    /// </summary>
    public IReadOnlyList<string> Unlock(string normalizedUserName)
    {
        var prefix = PairKey(normalizedUserName, null);
        var addresses = new List<string>();
        foreach (var key in _failures.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            if (_failures.TryRemove(key, out _))
            {
                var address = key[prefix.Length..];
                addresses.Add(address);
                _failures.TryRemove(AddressKey(address.Length == 0 ? null : address), out _);
            }
        }

        return addresses;
    }

    private TimeSpan? BlockedFor(string key, int limit)
    {
        if (!_failures.TryGetValue(key, out var queue))
        {
            return null;
        }

        var now = time.GetUtcNow();
        lock (queue)
        {
            Prune(queue, now);
            return queue.Count >= limit ? queue.Peek() + Window - now : null;
        }
    }

    private void Add(string key, int limit, DateTimeOffset now)
    {
        var queue = _failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            Prune(queue, now);
            queue.Enqueue(now);
            while (queue.Count > limit)
            {
                queue.Dequeue();
            }
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, queue) in _failures)
        {
            lock (queue)
            {
                Prune(queue, now);
                if (queue.Count == 0)
                {
                    _failures.TryRemove(key, out _);
                }
            }
        }
    }

    private static void Prune(Queue<DateTimeOffset> queue, DateTimeOffset now)
    {
        while (queue.Count > 0 && queue.Peek() + Window <= now)
        {
            queue.Dequeue();
        }
    }

    // No address (the CLI, an in-process caller) is one shared bucket: it is never a remote client.
    private static string AddressKey(string? address) => "a|" + (address ?? "");

    private static string PairKey(string normalizedUserName, string? address) => $"u|{normalizedUserName}|{address}";
}
