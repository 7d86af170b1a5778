using CertMgr.Core.Common;
using CertMgr.Data.Model;

namespace CertMgr.Core.Acquisition.Backends;

/// <summary>The registered CA backends, and the one a product is obtained through.</summary>
public sealed class CaBackends(IEnumerable<ICaBackend> backends)
{
    private readonly Dictionary<CaBackendKind, ICaBackend> _byKind = backends.ToDictionary(b => b.Kind);

    /// <summary>The kind of CA a product comes from: its CA connection's kind, or manual when it has none.</summary>
    public static CaBackendKind KindOf(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return product.CaConnection?.Kind switch
        {
            null => CaBackendKind.Manual,
            CaConnectionKind.BuiltInCa => CaBackendKind.BuiltInCa,
            CaConnectionKind.Acme => CaBackendKind.Acme,
            CaConnectionKind.MicrosoftAdcs => CaBackendKind.MicrosoftAdcs,
            CaConnectionKind.Manual => CaBackendKind.Manual,
            var other => throw new ArgumentOutOfRangeException(nameof(product), other, "Unknown CA connection kind."),
        };
    }

    /// <summary>The backend for a product, or why there is none.</summary>
    public Result<ICaBackend> For(Product product)
    {
        var kind = KindOf(product);
        return _byKind.TryGetValue(kind, out var backend)
            ? Result<ICaBackend>.Success(backend)
            : Error.Unavailable("ca-backend-missing", $"This CertMgr cannot obtain certificates from {kind} CAs yet; choose another product.");
    }
}
