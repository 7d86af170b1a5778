using CertMgr.Core.Inventory;
using CertMgr.Data.Model;

namespace CertMgr.Core.Acquisition;

/// <summary>
/// Whether a product can issue a definition's certificate (guide 4.3.2): the product named by the definition, or
/// one meeting its requirements (CA, validation level, wildcard, names). Pure; the reason says why not.
/// </summary>
public static class ProductRequirements
{
    /// <summary>Null when the product fits; otherwise why it does not.</summary>
    public static string? WhyNot(CertificateDefinition definition, Product product)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(product);
        if (!product.Enabled)
        {
            return $"{product.Provider} {product.Name} is disabled.";
        }

        if (definition.ProductId is { } chosen && chosen != product.Id)
        {
            return "The definition names another product.";
        }

        if (!string.IsNullOrWhiteSpace(definition.RequiredCa) &&
            !string.Equals(definition.RequiredCa.Trim(), product.Provider, StringComparison.OrdinalIgnoreCase))
        {
            return $"The definition requires the CA {definition.RequiredCa.Trim()}; this product is from {product.Provider}.";
        }

        // A higher level meets a lower requirement (EV meets OV).
        if (definition.RequiredValidationLevel is { } level && product.ValidationLevel < level)
        {
            return $"The definition requires {level} validation; this product is {product.ValidationLevel}.";
        }

        if (DefinitionNames.NeedsWildcard(definition) && !product.Wildcard)
        {
            return "The definition needs a wildcard certificate; this product does not offer one.";
        }

        var names = DefinitionNames.Of(definition).Count;
        if (definition.RequireMultiDomain && product.MaxSans < 2)
        {
            return "The definition requires a multi-domain product; this one is single-domain.";
        }

        if (names > product.MaxSans)
        {
            return $"The definition has {names} names; this product allows at most {product.MaxSans}.";
        }

        return null;
    }

    public static bool Fits(CertificateDefinition definition, Product product) => WhyNot(definition, product) is null;
}
