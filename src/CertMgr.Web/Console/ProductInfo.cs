using System.Reflection;

namespace CertMgr.Web.ConsoleUi;

/// <summary>The product's name and version, as the console shows them.</summary>
public static class ProductInfo
{
    public const string Name = "CertMgr";

    /// <summary>
    /// The informational version of the host (the <c>certmgr</c> executable), without the source-revision suffix;
    /// this library's own when there is no entry assembly (tests).
    /// </summary>
    public static string Version { get; } = ReadVersion();

    private static string ReadVersion()
    {
        var assembly = Assembly.GetEntryAssembly() ?? typeof(ProductInfo).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
