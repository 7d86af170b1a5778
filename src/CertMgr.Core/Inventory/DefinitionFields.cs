using System.Text.Json.Serialization;
using CertMgr.Core.Common;
using CertMgr.Data.Model;

namespace CertMgr.Core.Inventory;

/// <summary>
/// The editable fields of a certificate definition (guide 2.3), as the console form and the REST API send them.
/// Property names are the field keys of <see cref="DefinitionValidation"/> errors.
/// </summary>
public sealed class DefinitionFields
{
    /// <summary>Display name; the common name when left empty.</summary>
    public string? Name { get; set; }

    [JsonConverter(typeof(EnumNameConverter<OperationMode>))]
    public OperationMode OperationMode { get; set; } = OperationMode.LifecycleManaged;

    [JsonConverter(typeof(EnumNameConverter<ExecutionMode>))]
    public ExecutionMode ExecutionMode { get; set; } = ExecutionMode.Interactive;

    public string? CommonName { get; set; }
    public string? Organization { get; set; }
    public string? OrganizationalUnit { get; set; }
    public string? Locality { get; set; }
    public string? State { get; set; }
    public string? Country { get; set; }
    public List<string> SubjectAlternativeNames { get; set; } = [];

    [JsonConverter(typeof(EnumNameConverter<KeyAlgorithm>))]
    public KeyAlgorithm KeyAlgorithm { get; set; } = KeyAlgorithm.Ecdsa;

    public int KeySize { get; set; } = 256;

    public string? RequestorName { get; set; }
    public string? RequestorEmail { get; set; }
    public string? RequestorDepartment { get; set; }

    public Guid? ProductId { get; set; }
    public string? RequiredCa { get; set; }

    [JsonConverter(typeof(EnumNameConverter<ValidationLevel>))]
    public ValidationLevel? RequiredValidationLevel { get; set; }

    public bool RequireWildcard { get; set; }
    public bool RequireMultiDomain { get; set; }

    public string? TargetServerName { get; set; }

    [JsonConverter(typeof(EnumNameConverter<ServerSoftware>))]
    public ServerSoftware ServerSoftware { get; set; } = ServerSoftware.Generic;

    public int Port { get; set; } = 443;
    public string? ServerAdminEmail { get; set; }
    public string? ServerNameForCheck { get; set; }
    public int? CheckPort { get; set; }

    public Guid? TrustedCaSetId { get; set; }
    public bool MonitoringEnabled { get; set; } = true;
    public int ExpiryThresholdDays { get; set; } = 30;
    public int RenewalLeadDays { get; set; } = 60;

    public List<string> Tags { get; set; } = [];
    public string? Notes { get; set; }

    /// <summary>The fields of a stored definition, for editing or copying.</summary>
    public static DefinitionFields From(CertificateDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new DefinitionFields
        {
            Name = d.Name,
            OperationMode = d.OperationMode,
            ExecutionMode = d.ExecutionMode,
            CommonName = d.CommonName,
            Organization = d.Organization,
            OrganizationalUnit = d.OrganizationalUnit,
            Locality = d.Locality,
            State = d.State,
            Country = d.Country,
            SubjectAlternativeNames = [.. d.SubjectAlternativeNames],
            KeyAlgorithm = d.KeyAlgorithm,
            KeySize = d.KeySize,
            RequestorName = d.RequestorName,
            RequestorEmail = d.RequestorEmail,
            RequestorDepartment = d.RequestorDepartment,
            ProductId = d.ProductId,
            RequiredCa = d.RequiredCa,
            RequiredValidationLevel = d.RequiredValidationLevel,
            RequireWildcard = d.RequireWildcard,
            RequireMultiDomain = d.RequireMultiDomain,
            TargetServerName = d.TargetServerName,
            ServerSoftware = d.ServerSoftware,
            Port = d.Port,
            ServerAdminEmail = d.ServerAdminEmail,
            ServerNameForCheck = d.ServerNameForCheck,
            CheckPort = d.CheckPort,
            TrustedCaSetId = d.TrustedCaSetId,
            MonitoringEnabled = d.MonitoringEnabled,
            ExpiryThresholdDays = d.ExpiryThresholdDays,
            RenewalLeadDays = d.RenewalLeadDays,
            Tags = [.. d.Tags],
            Notes = d.Notes,
        };
    }

    /// <summary>Copies these (already normalised and validated) fields onto a definition.</summary>
    internal void ApplyTo(CertificateDefinition d)
    {
        d.Name = Name!;
        d.OperationMode = OperationMode;
        d.ExecutionMode = ExecutionMode;
        d.CommonName = CommonName!;
        d.Organization = Organization;
        d.OrganizationalUnit = OrganizationalUnit;
        d.Locality = Locality;
        d.State = State;
        d.Country = Country;
        d.SubjectAlternativeNames = [.. SubjectAlternativeNames];
        d.KeyAlgorithm = KeyAlgorithm;
        d.KeySize = KeySize;
        d.RequestorName = RequestorName;
        d.RequestorEmail = RequestorEmail;
        d.RequestorDepartment = RequestorDepartment;
        d.ProductId = ProductId;
        d.RequiredCa = RequiredCa;
        d.RequiredValidationLevel = RequiredValidationLevel;
        d.RequireWildcard = RequireWildcard;
        d.RequireMultiDomain = RequireMultiDomain;
        d.TargetServerName = TargetServerName;
        d.ServerSoftware = ServerSoftware;
        d.Port = Port;
        d.ServerAdminEmail = ServerAdminEmail;
        d.ServerNameForCheck = ServerNameForCheck;
        d.CheckPort = CheckPort;
        d.TrustedCaSetId = TrustedCaSetId;
        d.MonitoringEnabled = MonitoringEnabled;
        d.ExpiryThresholdDays = ExpiryThresholdDays;
        d.RenewalLeadDays = RenewalLeadDays;
        d.Tags = [.. Tags];
        d.Notes = Notes;
    }
}
