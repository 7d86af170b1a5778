using System.Reflection;
using System.Text.RegularExpressions;
using CertMgr.Data.Model;
using CertMgr.Web.ConsoleUi;

namespace CertMgr.Web.Tests.Console;

public sealed partial class LabelsTests
{
    // Two capitalised words run together, as an enum member is spelled in code (IssuedByPrivateCa, ApacheHttpd).
    [GeneratedRegex("[a-z][A-Z][a-z]")]
    private static partial Regex PascalCase();

    public static TheoryData<Type> LabelledEnums() =>
        [.. typeof(Labels).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == nameof(Labels.Of))
            .Select(m => m.GetParameters()[0].ParameterType)];

    [Theory]
    [MemberData(nameof(LabelledEnums))]
    public void Of_EveryValue_ReadsAsWordsNotTheEnumName(Type enumType)
    {
        var of = typeof(Labels).GetMethod(nameof(Labels.Of), [enumType])!;

        foreach (var value in Enum.GetValues(enumType))
        {
            var label = (string)of.Invoke(null, [value])!;
            Assert.False(string.IsNullOrWhiteSpace(label), $"{enumType.Name}.{value} has no label.");
            Assert.DoesNotMatch(PascalCase(), label.Replace("CertMgr", "", StringComparison.Ordinal)); // our own name is one word
        }
    }

    [Theory]
    [InlineData(CertificateSource.IssuedByPrivateCa, "Issued by the private CA")]
    [InlineData(CertificateSource.Imported, "Imported")]
    public void Of_CertificateSource_GuideWording(CertificateSource source, string expected) => Assert.Equal(expected, Labels.Of(source));

    [Theory]
    [InlineData(ServerSoftware.ApacheHttpd, "Apache httpd")]
    [InlineData(ServerSoftware.MicrosoftIis, "Microsoft IIS")]
    [InlineData(ServerSoftware.Generic, "Generic server")]
    public void Of_ServerSoftware_ProductNames(ServerSoftware software, string expected) => Assert.Equal(expected, Labels.Of(software));

    [Theory]
    [InlineData("Let's Encrypt", "Let's Encrypt DV", "Let's Encrypt DV")]
    [InlineData("ZeroSSL", "ZeroSSL DV", "ZeroSSL DV")]
    [InlineData("Sectigo", "PositiveSSL DV", "Sectigo PositiveSSL DV")]
    public void Product_NameStartingWithProvider_ProviderNotRepeated(string provider, string name, string expected) =>
        Assert.Equal(expected, Labels.Product(provider, name));

    [Fact]
    public void ServerSoftwareOptions_LabelledWithEnumNamesAsValues()
    {
        var options = Labels.ServerSoftwareOptions().ToList();

        Assert.Equal(Enum.GetValues<ServerSoftware>().Length, options.Count);
        Assert.Contains(options, o => o is { Text: "Apache httpd", Value: "ApacheHttpd" });
        Assert.DoesNotContain(options, o => PascalCase().IsMatch(o.Text.Replace("CertMgr", "", StringComparison.Ordinal)));
    }
}
