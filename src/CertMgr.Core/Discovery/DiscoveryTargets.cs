using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using CertMgr.Core.Common;

namespace CertMgr.Core.Discovery;

/// <summary>What a person asks to scan, as typed: targets, ports, extra SNI names, exclusions.</summary>
/// <param name="Targets">Addresses (IPv4, IPv6), CIDR ranges, address ranges (<c>10.0.0.5-10.0.0.80</c> or <c>10.0.0.5-80</c>) or host names; items may also be separated by commas or spaces.</param>
/// <param name="Ports">Ports as a list and ranges: <c>443,8443,9000-9010</c>.</param>
/// <param name="SniNames">Extra server names to try on every open port, besides the plain handshake.</param>
/// <param name="Exclude">Targets (same forms) never to touch.</param>
public sealed record DiscoveryInput(IReadOnlyList<string> Targets, string Ports, IReadOnlyList<string>? SniNames = null, IReadOnlyList<string>? Exclude = null);

/// <summary>One host to scan: an address, or a host name resolved when the scan connects.</summary>
public sealed record DiscoveryHost(string Text, IPAddress? Address);

/// <summary>
/// A checked scan plan: the distinct hosts (exclusions applied), the ports, the SNI names. Its endpoint count is
/// hosts × ports and never exceeds the maximum it was parsed with.
/// </summary>
public sealed class DiscoveryPlan
{
    internal DiscoveryPlan(IReadOnlyList<DiscoveryHost> hosts, IReadOnlyList<int> ports, IReadOnlyList<string> sniNames, int excluded)
    {
        Hosts = hosts;
        Ports = ports;
        SniNames = sniNames;
        Excluded = excluded;
    }

    public IReadOnlyList<DiscoveryHost> Hosts { get; }
    public IReadOnlyList<int> Ports { get; }
    public IReadOnlyList<string> SniNames { get; }

    /// <summary>Hosts left out because an exclusion covered them.</summary>
    public int Excluded { get; }

    /// <summary>Endpoints (host, port) the scan connects to.</summary>
    public int EndpointCount => Hosts.Count * Ports.Count;
}

/// <summary>
/// Parses <see cref="DiscoveryInput"/> into a <see cref="DiscoveryPlan"/>: pure, every refusal an <see cref="Error"/>
/// whose code names the field (<c>targets-invalid</c>, <c>ports-invalid</c>, <c>sni-invalid</c>, <c>exclude-invalid</c>,
/// <c>too-many-targets</c>).
/// </summary>
public static class DiscoveryTargets
{
    public const string TargetsInvalid = "targets-invalid";
    public const string PortsInvalid = "ports-invalid";
    public const string SniInvalid = "sni-invalid";
    public const string ExcludeInvalid = "exclude-invalid";
    public const string TooManyTargets = "too-many-targets";

    private const int MaxSniNames = 16;
    private static readonly char[] Separators = [',', ' ', '\t', '\r', '\n', ';'];

    /// <summary>Checks the input and expands it; <paramref name="maxTargets"/> bounds hosts × ports.</summary>
    public static Result<DiscoveryPlan> Parse(DiscoveryInput input, int maxTargets)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTargets);
        var ports = ParsePorts(input.Ports);
        if (!ports.IsSuccess)
        {
            return ports.Error;
        }

        var targetItems = Split(input.Targets);
        if (targetItems.Count == 0)
        {
            return new Error(TargetsInvalid, "Give at least one target: an address, a CIDR range (10.0.0.0/24), an address range (10.0.0.5-10.0.0.80) or a host name.");
        }

        var targets = new List<TargetRange>();
        foreach (var item in targetItems)
        {
            var range = ParseTarget(item, TargetsInvalid);
            if (!range.IsSuccess)
            {
                return range.Error;
            }

            targets.Add(range.Value);
        }

        var excludes = new List<TargetRange>();
        foreach (var item in Split(input.Exclude ?? []))
        {
            var range = ParseTarget(item, ExcludeInvalid);
            if (!range.IsSuccess)
            {
                return range.Error;
            }

            excludes.Add(range.Value);
        }

        var sni = new List<string>();
        foreach (var name in Split(input.SniNames ?? []))
        {
            var trimmed = name.TrimEnd('.');
            if (trimmed.Length > 253 || Uri.CheckHostName(trimmed) != UriHostNameType.Dns || trimmed.Contains('*', StringComparison.Ordinal))
            {
                return new Error(SniInvalid, $"SNI name '{name}' is not a host name (letters, digits, hyphens and dots; no wildcards, no addresses).");
            }

            if (!sni.Contains(trimmed, StringComparer.OrdinalIgnoreCase))
            {
                sni.Add(trimmed.ToLowerInvariant());
            }
        }

        if (sni.Count > MaxSniNames)
        {
            return new Error(SniInvalid, $"At most {MaxSniNames} extra SNI names; {sni.Count} were given.");
        }

        // Refuse before expanding: a /8 or an IPv6 /64 must not be enumerated to be counted.
        var portCount = ports.Value.Count;
        var upperBound = targets.Aggregate(BigInteger.Zero, (sum, t) => sum + t.Size) * portCount;
        var hardCap = (BigInteger)maxTargets * 4;
        if (upperBound > hardCap && upperBound - Covered(targets, excludes) * portCount > maxTargets)
        {
            return TooMany(upperBound, portCount, maxTargets);
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var hosts = new List<DiscoveryHost>();
        var excluded = 0;
        foreach (var target in targets)
        {
            foreach (var host in target.Enumerate())
            {
                if (!seen.Add(host.Text))
                {
                    continue;
                }

                if (excludes.Exists(e => e.Contains(host)))
                {
                    excluded++;
                    continue;
                }

                hosts.Add(host);
                if ((long)hosts.Count * portCount > maxTargets)
                {
                    return TooMany(upperBound, portCount, maxTargets);
                }
            }
        }

        if (hosts.Count == 0)
        {
            return new Error(ExcludeInvalid, "The exclusions cover every target; nothing is left to scan.");
        }

        return new DiscoveryPlan(hosts, ports.Value, sni, excluded);
    }

    /// <summary>
    /// Every field's first problem at once (targets, ports, SNI names, exclusions), without expanding any range: for
    /// forms that mark each field. Empty when each field reads; <see cref="Parse"/> still decides the plan as a whole.
    /// </summary>
    public static IReadOnlyList<Error> FieldErrors(DiscoveryInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<Error>();
        var targets = Split(input.Targets);
        if (targets.Count == 0)
        {
            errors.Add(new Error(TargetsInvalid, "Give at least one target: an address, a CIDR range (10.0.0.0/24), an address range (10.0.0.5-10.0.0.80) or a host name."));
        }
        else if (targets.Select(t => ParseTarget(t, TargetsInvalid)).FirstOrDefault(r => !r.IsSuccess) is { Error: { } bad })
        {
            errors.Add(bad);
        }

        if (ParsePorts(input.Ports) is { IsSuccess: false } ports)
        {
            errors.Add(ports.Error);
        }

        if (Parse(new DiscoveryInput(["127.0.0.1"], "1", input.SniNames), 1) is { IsSuccess: false } sni && sni.Error.Code == SniInvalid)
        {
            errors.Add(sni.Error);
        }

        if (Split(input.Exclude ?? []).Select(t => ParseTarget(t, ExcludeInvalid)).FirstOrDefault(r => !r.IsSuccess) is { Error: { } excluded })
        {
            errors.Add(excluded);
        }

        return errors;
    }

    /// <summary>Ports as a sorted distinct list from <c>443,8443,9000-9010</c>.</summary>
    public static Result<IReadOnlyList<int>> ParsePorts(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new Error(PortsInvalid, "Give at least one port, e.g. 443 or 443,8443,9000-9010.");
        }

        var ports = new SortedSet<int>();
        foreach (var item in text.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = item.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                if (!TryPort(item, out var port))
                {
                    return BadPort(item);
                }

                ports.Add(port);
                continue;
            }

            if (!TryPort(item[..dash], out var low) || !TryPort(item[(dash + 1)..], out var high))
            {
                return BadPort(item);
            }

            if (low > high)
            {
                return new Error(PortsInvalid, $"Port range '{item}' runs backwards; write it low-high.");
            }

            for (var p = low; p <= high; p++)
            {
                ports.Add(p);
            }
        }

        return ports.Count == 0 ? BadPort(text) : ports.ToList();
    }

    private static Error BadPort(string item) =>
        new(PortsInvalid, $"'{item}' is not a port (1-65535) or a port range (9000-9010).");

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;

    private static Error TooMany(BigInteger endpoints, int ports, int max) =>
        new(TooManyTargets, string.Create(CultureInfo.InvariantCulture,
            $"The scan would cover {(endpoints > 1_000_000_000 ? "more than 1,000,000,000" : endpoints.ToString("N0", CultureInfo.InvariantCulture))} endpoints (addresses × {Plural.Of(ports, "port")}); the maximum is {max:N0} (setting Discovery:MaxTargets). Narrow the ranges, add exclusions or scan fewer ports."));

    private static List<string> Split(IEnumerable<string> items) =>
        [.. items.SelectMany(i => (i ?? "").Split(Separators, StringSplitOptions.RemoveEmptyEntries))];

    private static BigInteger Covered(List<TargetRange> targets, List<TargetRange> excludes) =>
        // A lower bound of what exclusions remove: whole exclusion ranges inside one target range.
        excludes.Where(e => targets.Exists(t => t.ContainsRange(e))).Aggregate(BigInteger.Zero, (sum, e) => sum + e.Size);

    private static Result<TargetRange> ParseTarget(string item, string code)
    {
        var text = item.Trim();
        var what = code == ExcludeInvalid ? "Exclusion" : "Target";
        var help = $"{what} '{text}' is not an address, a CIDR range (10.0.0.0/24), an address range (10.0.0.5-10.0.0.80) or a host name.";
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!TryAddress(text[..slash], out var network)
                || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
            {
                return new Error(code, help);
            }

            var bits = network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            if (prefix > bits)
            {
                return new Error(code, $"{what} '{text}': the prefix length must be 0-{bits}.");
            }

            var value = ToNumber(network);
            var hostBits = bits - prefix;
            var mask = ((BigInteger.One << hostBits) - 1);
            var first = value & ~mask & ((BigInteger.One << bits) - 1);
            return new TargetRange(network.AddressFamily, first, first + mask, null);
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0 && TryAddress(text[..dash], out var start))
        {
            var endText = text[(dash + 1)..];
            IPAddress end;
            if (start.AddressFamily == AddressFamily.InterNetwork && byte.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out var lastOctet))
            {
                var bytes = start.GetAddressBytes();
                bytes[3] = lastOctet;
                end = new IPAddress(bytes);
            }
            else if (!TryAddress(endText, out end!))
            {
                return new Error(code, help);
            }

            if (end.AddressFamily != start.AddressFamily)
            {
                return new Error(code, $"{what} '{text}' mixes IPv4 and IPv6.");
            }

            var (low, high) = (ToNumber(start), ToNumber(end));
            return low > high
                ? new Error(code, $"{what} '{text}' runs backwards; write it low-high.")
                : new TargetRange(start.AddressFamily, low, high, null);
        }

        if (TryAddress(text, out var single))
        {
            var n = ToNumber(single);
            return new TargetRange(single.AddressFamily, n, n, null);
        }

        var name = text.TrimEnd('.');
        return name.Length is > 0 and <= 253 && Uri.CheckHostName(name) == UriHostNameType.Dns && !name.Contains('*', StringComparison.Ordinal)
            && !name.All(c => char.IsAsciiDigit(c) || c == '.')
            ? new TargetRange(AddressFamily.Unspecified, 0, 0, name.ToLowerInvariant())
            : new Error(code, help);
    }

    /// <summary>Dotted-quad IPv4 (all four parts) or IPv6 (optionally in brackets); never the short forms IPAddress accepts ("10.1").</summary>
    private static bool TryAddress(string text, out IPAddress address)
    {
        text = text.Trim();
        if (text.StartsWith('[') && text.EndsWith(']'))
        {
            text = text[1..^1];
        }

        if (IPAddress.TryParse(text, out var parsed)
            && (parsed.AddressFamily == AddressFamily.InterNetworkV6 ? text.Contains(':', StringComparison.Ordinal) && parsed.ScopeId == 0 : parsed.ToString() == text))
        {
            address = parsed;
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    private static BigInteger ToNumber(IPAddress address) => new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    private static IPAddress FromNumber(BigInteger value, AddressFamily family)
    {
        var length = family == AddressFamily.InterNetwork ? 4 : 16;
        var bytes = new byte[length];
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        raw.CopyTo(bytes, length - raw.Length);
        return new IPAddress(bytes);
    }

    private sealed record TargetRange(AddressFamily Family, BigInteger First, BigInteger Last, string? Name)
    {
        public BigInteger Size => Name is null ? Last - First + 1 : 1;

        public IEnumerable<DiscoveryHost> Enumerate()
        {
            if (Name is not null)
            {
                yield return new DiscoveryHost(Name, null);
                yield break;
            }

            for (var n = First; n <= Last; n++)
            {
                var address = FromNumber(n, Family);
                yield return new DiscoveryHost(address.ToString(), address);
            }
        }

        public bool Contains(DiscoveryHost host)
        {
            if (Name is not null)
            {
                return host.Address is null && string.Equals(Name, host.Text, StringComparison.OrdinalIgnoreCase);
            }

            if (host.Address is not { } address || address.AddressFamily != Family)
            {
                return false;
            }

            var n = ToNumber(address);
            return n >= First && n <= Last;
        }

        public bool ContainsRange(TargetRange other) =>
            Name is null && other.Name is null && other.Family == Family && other.First >= First && other.Last <= Last;
    }
}
