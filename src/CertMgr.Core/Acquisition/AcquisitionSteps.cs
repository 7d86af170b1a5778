namespace CertMgr.Core.Acquisition;

/// <summary>Where the key of a request comes from.</summary>
public enum KeyChoice
{
    /// <summary>A new key of the definition's key spec.</summary>
    New,

    /// <summary>The key of the definition's current certificate, when CertMgr holds it.</summary>
    ReuseCurrent,

    /// <summary>A chosen stored key of the definition's key spec.</summary>
    Reuse,
}

/// <summary>The order placed with a commercial CA or reseller (guide 4.3.2).</summary>
public sealed record OrderDetails(DateOnly? OrderDate, string? OrderNumber, Guid? ProviderAccountId, string? Notes);

/// <summary>History actions of the acquisition steps, as they appear in a definition's history and the audit log.</summary>
public static class AcquisitionActions
{
    public const string Start = "acquisition-start";
    public const string Key = "acquisition-key";
    public const string Product = "acquisition-product";
    public const string Issued = "acquisition-issued";
    public const string Submitted = "acquisition-submitted";
    public const string Poll = "acquisition-poll";
    public const string Order = "acquisition-order";
    public const string Receive = "acquisition-receive";
    public const string ReceiveRefused = "acquisition-receive-refused";
    public const string Complete = "acquisition-complete";
    public const string Cancel = "acquisition-cancel";
    public const string Interrupt = "acquisition-interrupt";
    public const string Resume = "acquisition-resume";
}
