using CertMgr.Core.Inventory;
using CertMgr.Core.Acquisition;
using CertMgr.Data.Model;

namespace CertMgr.Core.Tests.Acquisition;

public sealed class ProductRequirementsTests
{
    private static CertificateDefinition Definition(string cn, params string[] sans) => new() { Name = cn, CommonName = cn, SubjectAlternativeNames = [.. sans] };

    private static Product Product(string provider = "Sectigo", ValidationLevel level = ValidationLevel.DV, bool wildcard = false, int maxSans = 2, bool enabled = true) =>
        new() { Provider = provider, Name = "P", ValidationLevel = level, Wildcard = wildcard, MaxSans = maxSans, Enabled = enabled };

    [Fact]
    public void WhyNot_EachRequirement_ReasonOrNull()
    {
        Assert.Null(ProductRequirements.WhyNot(Definition("a.example.test", "www.a.example.test"), Product()));
        Assert.Contains("wildcard", ProductRequirements.WhyNot(Definition("*.a.example.test"), Product()), StringComparison.Ordinal);
        Assert.Null(ProductRequirements.WhyNot(Definition("*.a.example.test"), Product(wildcard: true)));
        Assert.Contains("3 names", ProductRequirements.WhyNot(Definition("a.example.test", "b.example.test", "c.example.test"), Product()), StringComparison.Ordinal);
        Assert.Contains("disabled", ProductRequirements.WhyNot(Definition("a.example.test"), Product(enabled: false)), StringComparison.Ordinal);

        var ov = Definition("a.example.test");
        ov.RequiredValidationLevel = ValidationLevel.OV;
        Assert.NotNull(ProductRequirements.WhyNot(ov, Product()));
        Assert.Null(ProductRequirements.WhyNot(ov, Product(level: ValidationLevel.EV)));

        var digicert = Definition("a.example.test");
        digicert.RequiredCa = "DigiCert";
        Assert.NotNull(ProductRequirements.WhyNot(digicert, Product()));
        Assert.Null(ProductRequirements.WhyNot(digicert, Product("digicert")));

        var multi = Definition("a.example.test");
        multi.RequireMultiDomain = true;
        Assert.NotNull(ProductRequirements.WhyNot(multi, Product(maxSans: 1)));

        var named = Definition("a.example.test");
        named.ProductId = Guid.NewGuid();
        Assert.NotNull(ProductRequirements.WhyNot(named, Product()));
    }

    [Theory]
    [InlineData("*.example.test", "www.example.test", true)]
    [InlineData("*.example.test", "a.b.example.test", false)]
    [InlineData("*.example.test", "example.test", false)]
    [InlineData("WWW.example.test", "www.example.TEST", true)]
    [InlineData("*.example.test", "*.example.test", true)]
    public void Covers_Names_AsTlsClientsMatch(string certificateName, string required, bool expected) =>
        Assert.Equal(expected, DefinitionNames.Covers(certificateName, required));
}
