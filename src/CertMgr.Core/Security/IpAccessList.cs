using System.Net;
using System.Net.Sockets;

namespace CertMgr.Core.Security;

/// <summary>A line of <c>ip_acl.txt</c> that was not understood, and why; it allows nobody.</summary>
public sealed record IpAccessListProblem(int LineNumber, string Line, string Reason);

/// <summary>
/// The IP allow-list from <c>ip_acl.txt</c> in the data directory: one CIDR (or single address) per line, IPv4 or IPv6,
/// <c>#</c> starts a comment. Decisions, safest first:
/// <list type="bullet">
/// <item>No file: everyone is allowed (<see cref="AllowAll"/>).</item>
/// <item>A malformed line allows nobody (fail closed for that line) and is reported in <see cref="Problems"/>.</item>
/// <item>A file without a single valid entry (empty, comments only, only bad lines, or unreadable) allows loopback
/// only: remote access is closed, and an operator on the machine itself can still reach the console to see why.</item>
/// </list>
/// IPv4-mapped IPv6 client addresses (<c>::ffff:10.0.0.1</c>) are matched as IPv4.
/// </summary>
public sealed class IpAccessList
{
    public const string FileName = "ip_acl.txt";

    private static readonly IPNetwork[] LoopbackOnly = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128")];

    private IpAccessList(bool allowAll, IReadOnlyList<IPNetwork> networks, IReadOnlyList<IpAccessListProblem> problems, bool loopbackFallback)
    {
        AllowAll = allowAll;
        Networks = networks;
        Problems = problems;
        LoopbackFallback = loopbackFallback;
    }

    /// <summary>The list when there is no file: every address is allowed.</summary>
    public static IpAccessList None { get; } = new(true, [], [], false);

    public bool AllowAll { get; }

    public IReadOnlyList<IPNetwork> Networks { get; }

    public IReadOnlyList<IpAccessListProblem> Problems { get; }

    /// <summary>True when the file had no valid entry, so only loopback is allowed.</summary>
    public bool LoopbackFallback { get; }

    /// <summary>A file that exists but could not be read: loopback only.</summary>
    public static IpAccessList Unreadable(string reason) =>
        new(false, LoopbackOnly, [new IpAccessListProblem(0, "", reason)], true);

    public static IpAccessList Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var networks = new List<IPNetwork>();
        var problems = new List<IpAccessListProblem>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var raw = lines[i].TrimEnd('\r');
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var entry = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (entry.Length == 0)
            {
                continue;
            }

            if (ParseEntry(entry) is { } network)
            {
                networks.Add(network);
            }
            else
            {
                problems.Add(new IpAccessListProblem(i + 1, raw.Length > 200 ? raw[..200] : raw, Reason(entry)));
            }
        }

        return networks.Count == 0
            ? new IpAccessList(false, LoopbackOnly, problems, true)
            : new IpAccessList(false, networks, problems, false);
    }

    public bool Allows(IPAddress? address)
    {
        if (AllowAll)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in Networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPNetwork? ParseEntry(string entry)
    {
        if (entry.Any(char.IsWhiteSpace))
        {
            return null;
        }

        if (entry.Contains('/', StringComparison.Ordinal))
        {
            var parts = entry.Split('/');
            if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var address) || !IsPlainAddress(parts[0], address) ||
                !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix))
            {
                return null;
            }

            var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            if (prefix > max || parts[0].Contains('%', StringComparison.Ordinal))
            {
                return null;
            }

            // Host bits set (10.0.0.1/8) is refused: it is most likely a typo for something narrower.
            return IPNetwork.TryParse(entry, out var network) && network.BaseAddress.Equals(address) ? network : null;
        }

        return IPAddress.TryParse(entry, out var single) && IsPlainAddress(entry, single) && !entry.Contains('%', StringComparison.Ordinal)
            ? new IPNetwork(single, single.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
            : null;
    }

    // IPAddress.TryParse accepts "10" or "10.1" (classful shorthand); the list wants dotted quads or real IPv6.
    private static bool IsPlainAddress(string text, IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? text.Contains(':', StringComparison.Ordinal) : text.Count(c => c == '.') == 3;

    private static string Reason(string entry)
    {
        if (entry.Any(char.IsWhiteSpace))
        {
            return "one entry per line, without spaces inside it (comments start with #).";
        }

        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        var addressPart = slash >= 0 ? entry[..slash] : entry;
        if (!IPAddress.TryParse(addressPart, out var address) || !IsPlainAddress(addressPart, address))
        {
            return $"'{addressPart}' is not an IPv4 or IPv6 address.";
        }

        if (addressPart.Contains('%', StringComparison.Ordinal))
        {
            return "zone (scope) ids are not allowed.";
        }

        if (slash >= 0)
        {
            var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            if (!int.TryParse(entry[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix) || prefix > max)
            {
                return $"the prefix length must be a number from 0 to {max}.";
            }

            return "the address has bits set beyond the prefix length (write the network address, e.g. 10.0.0.0/8).";
        }

        return "not understood.";
    }
}
