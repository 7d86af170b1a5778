using System.Globalization;
using System.Net;

namespace CertMgr.Cli.Commands.Bench;

/// <summary>One endpoint of the reference TLS farm (<c>../shared/bench/tls-farm.sh</c>), as its manifest lists it.</summary>
internal sealed record FarmEndpoint(string Id, string Address, int Port, string Key, string Chain, string Status, string Sha1, string Sha256);

/// <summary>The farm's <c>manifest.tsv</c>: every endpoint and what a probe of it must find. Only loopback addresses.</summary>
internal static class FarmManifest
{
    public static List<FarmEndpoint> Read(string farmDirectory)
    {
        var path = Path.Combine(farmDirectory, "manifest.tsv");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"No farm at {farmDirectory}: start one with ../shared/bench/tls-farm.sh start 1000 (or pass --farm DIR).");
        }

        var lines = File.ReadAllLines(path);
        var header = lines[0].Split('\t');
        int Col(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidOperationException($"manifest.tsv has no '{name}' column.");
        var (id, addr, port, key, chain, status, sha1, sha256) =
            (Col("id"), Col("addr"), Col("port"), Col("key"), Col("chain"), Col("status"), Col("sha1"), Col("sha256"));
        var endpoints = new List<FarmEndpoint>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split('\t');
            if (!IPAddress.TryParse(f[addr], out var ip) || !IPAddress.IsLoopback(ip))
            {
                throw new InvalidOperationException($"The farm lists {f[addr]}, which is not a loopback address; refusing to touch it.");
            }

            endpoints.Add(new FarmEndpoint(f[id], f[addr], int.Parse(f[port], CultureInfo.InvariantCulture), f[key], f[chain], f[status], f[sha1], f[sha256]));
        }

        return endpoints.Count > 0 ? endpoints : throw new InvalidOperationException("The farm's manifest lists no endpoint.");
    }
}
