using System.Text.Json;
using CertMgr.Core.Common;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Inventory;

/// <summary>
/// Certificate definitions (guide 2.3, 2.4): create, edit, duplicate, clone a selection for another system, switch
/// operation and execution mode, delete. Every change is checked by <see cref="DefinitionValidation"/> and recorded in
/// the definition's history with the acting user.
/// </summary>
public sealed class DefinitionService(CertMgrDbContext db, TimeProvider time)
{
    public const string NotFoundCode = "definition-not-found";

    /// <summary>The field an error of this service belongs to, when it is about one field.</summary>
    public static string? FieldOf(Error error) => error?.Code switch
    {
        "product-not-found" => nameof(DefinitionFields.ProductId),
        "trusted-ca-set-not-found" => nameof(DefinitionFields.TrustedCaSetId),
        _ => null,
    };

    public static Error NotFound(Guid id) => Error.NotFound(NotFoundCode, $"No certificate definition has the id {id}.");

    public Task<CertificateDefinition?> GetAsync(Guid id, CancellationToken ct) =>
        db.Definitions.AsNoTracking().Include(d => d.CurrentCertificate).SingleOrDefaultAsync(d => d.Id == id, ct);

    public Task<Result<CertificateDefinition>> CreateAsync(DefinitionFields input, string actor, CancellationToken ct) =>
        CreateCheckedAsync(input, actor, d => $"Created '{d.Name}' ({ModeText(d.OperationMode)}).", ct);

    public async Task<Result<CertificateDefinition>> UpdateAsync(Guid id, DefinitionFields input, string actor, CancellationToken ct)
    {
        var definition = await db.Definitions.SingleOrDefaultAsync(d => d.Id == id, ct);
        if (definition is null)
        {
            return NotFound(id);
        }

        var checkedFields = await CheckAsync(input, ct);
        if (!checkedFields.IsSuccess)
        {
            return checkedFields.Error;
        }

        var changed = ChangedFields(DefinitionFields.From(definition), checkedFields.Value);
        if (changed.Count == 0)
        {
            return definition;
        }

        if (definition.OperationMode != checkedFields.Value.OperationMode && checkedFields.Value.OperationMode == OperationMode.MonitoredOnly
            && await HasOpenAcquisitionAsync(id, ct))
        {
            return OpenAcquisition();
        }

        var now = time.GetUtcNow();
        checkedFields.Value.ApplyTo(definition);
        definition.UpdatedAt = now;
        DefinitionHistory.Record(db, now, actor, id, "update", $"Changed {string.Join(", ", changed)}.");
        await db.SaveChangesAsync(ct);
        return definition;
    }

    /// <summary>Deletes a definition with its certificates, requests, documents and monitor results; keys stay.</summary>
    public async Task<Result> DeleteAsync(Guid id, string actor, CancellationToken ct)
    {
        var name = await db.Definitions.Where(d => d.Id == id).Select(d => d.Name).SingleOrDefaultAsync(ct);
        if (name is null)
        {
            return NotFound(id);
        }

        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The definition and its current certificate point at each other: clear the pointer, then let the
        // database cascade the rest.
        await db.Definitions.Where(d => d.Id == id).ExecuteUpdateAsync(s => s.SetProperty(d => d.CurrentCertificateId, (Guid?)null), ct);
        await db.Definitions.Where(d => d.Id == id).ExecuteDeleteAsync(ct);
        DefinitionHistory.Record(db, now, actor, id, "delete", $"Deleted '{name}'.");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Result.Success();
    }

    /// <summary>A copy of one definition (no certificates), named "NAME (copy)" or "NAME (copy N)".</summary>
    public async Task<Result<CertificateDefinition>> DuplicateAsync(Guid id, string actor, CancellationToken ct)
    {
        var source = await db.Definitions.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct);
        if (source is null)
        {
            return NotFound(id);
        }

        var fields = DefinitionFields.From(source);
        var baseName = source.Name.Length > 240 ? source.Name[..240] : source.Name;
        var taken = await db.Definitions.Where(d => d.Name.StartsWith(baseName)).Select(d => d.Name.ToLower()).ToListAsync(ct);
        var name = $"{baseName} (copy)";
        for (var n = 2; taken.Contains(name.ToLowerInvariant()); n++)
        {
            name = $"{baseName} (copy {n})";
        }

        fields.Name = name;
        var created = await CreateCheckedAsync(fields, actor, _ => $"Duplicated from '{source.Name}'.", ct);
        if (created.IsSuccess)
        {
            DefinitionHistory.Record(db, time.GetUtcNow(), actor, id, "duplicate", $"Duplicated as '{name}'.");
            await db.SaveChangesAsync(ct);
        }

        return created;
    }

    /// <summary>What a clone would create, item by item, with the reason an item cannot be created.</summary>
    public async Task<Result<ClonePlan>> PlanCloneAsync(CloneRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var rule = CloneRule.Create(request.Find, request.Replace);
        if (!rule.IsSuccess)
        {
            return rule.Error;
        }

        var sources = await SelectAsync(request, ct);
        if (!sources.IsSuccess)
        {
            return sources.Error;
        }

        var newNames = sources.Value.Select(s => rule.Value.Apply(s.Name)).ToList();
        var lowered = newNames.Select(n => n.ToLowerInvariant()).Distinct().ToList();
        var existing = (await db.Definitions.Where(d => lowered.Contains(d.Name.ToLower())).Select(d => d.Name.ToLower()).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var items = new List<ClonePlanItem>(sources.Value.Count);
        foreach (var source in sources.Value)
        {
            var fields = rule.Value.Rewrite(DefinitionFields.From(source), request.AddTag);
            var (normalized, errors) = DefinitionValidation.Check(fields);
            string? problem = null;
            if (string.Equals(normalized.Name, source.Name, StringComparison.OrdinalIgnoreCase))
            {
                problem = $"The rule does not change the name '{source.Name}'.";
            }
            else if (existing.Contains(normalized.Name!.ToLowerInvariant()))
            {
                problem = $"A definition named '{normalized.Name}' already exists.";
            }
            else if (!seen.Add(normalized.Name!))
            {
                problem = $"Two clones would both be named '{normalized.Name}'.";
            }
            else if (errors.Count > 0)
            {
                problem = DefinitionValidation.ToError(errors).Message;
            }

            items.Add(new ClonePlanItem(source.Id, source.Name, normalized, problem));
        }

        return new ClonePlan(items);
    }

    /// <summary>Creates the clones of <see cref="PlanCloneAsync"/> in one transaction, or none when any has a problem.</summary>
    public async Task<Result<IReadOnlyList<CertificateDefinition>>> CloneAsync(CloneRequest request, string actor, CancellationToken ct)
    {
        var plan = await PlanCloneAsync(request, ct);
        if (!plan.IsSuccess)
        {
            return plan.Error;
        }

        if (plan.Value.Items.FirstOrDefault(i => i.Problem is not null) is { } bad)
        {
            return Error.Conflict("clone-conflict", $"Nothing was cloned: '{bad.SourceName}': {bad.Problem}");
        }

        var now = time.GetUtcNow();
        var created = new List<CertificateDefinition>(plan.Value.Items.Count);
        foreach (var item in plan.Value.Items)
        {
            var definition = new CertificateDefinition { Name = "", CommonName = "", CreatedAt = now, UpdatedAt = now };
            item.Fields.ApplyTo(definition);
            db.Definitions.Add(definition);
            DefinitionHistory.Record(db, now, actor, definition.Id, "create", $"Cloned from '{item.SourceName}' (replace '{request.Find}' with '{request.Replace}').");
            DefinitionHistory.Record(db, now, actor, item.SourceId, "clone", $"Cloned as '{definition.Name}'.");
            created.Add(definition);
        }

        await db.SaveChangesAsync(ct);
        return created;
    }

    /// <summary>Switches the operation mode and/or the execution mode (guide 2.4, 2.2).</summary>
    public async Task<Result<CertificateDefinition>> SwitchModeAsync(Guid id, OperationMode? operation, ExecutionMode? execution, string actor, CancellationToken ct)
    {
        if (operation is null && execution is null)
        {
            return new Error("mode-missing", "Give an operation mode (LifecycleManaged, MonitoredOnly) and/or an execution mode (Interactive, Unattended).");
        }

        if (operation is { } o && !Enum.IsDefined(o) || execution is { } e && !Enum.IsDefined(e))
        {
            return new Error("mode-invalid", "The operation mode must be LifecycleManaged or MonitoredOnly; the execution mode Interactive or Unattended.");
        }

        var definition = await db.Definitions.SingleOrDefaultAsync(d => d.Id == id, ct);
        if (definition is null)
        {
            return NotFound(id);
        }

        var now = time.GetUtcNow();
        if (operation is { } op && op != definition.OperationMode)
        {
            if (op == OperationMode.MonitoredOnly && await HasOpenAcquisitionAsync(id, ct))
            {
                return OpenAcquisition();
            }

            DefinitionHistory.Record(db, now, actor, id, "switch-operation-mode", $"{ModeText(definition.OperationMode)} → {ModeText(op)}.");
            definition.OperationMode = op;
        }

        if (execution is { } ex && ex != definition.ExecutionMode)
        {
            DefinitionHistory.Record(db, now, actor, id, "switch-execution-mode", $"{definition.ExecutionMode} → {ex}.");
            definition.ExecutionMode = ex;
        }

        if (db.ChangeTracker.HasChanges())
        {
            definition.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
        }

        return definition;
    }

    public static string ModeText(OperationMode mode) => mode == OperationMode.LifecycleManaged ? "Lifecycle-managed" : "Monitored-only";

    /// <summary>Checks the fields, then adds the definition with its "create" history event.</summary>
    private async Task<Result<CertificateDefinition>> CreateCheckedAsync(
        DefinitionFields fields, string actor, Func<CertificateDefinition, string> detail, CancellationToken ct)
    {
        var checkedFields = await CheckAsync(fields, ct);
        if (!checkedFields.IsSuccess)
        {
            return checkedFields.Error;
        }

        var now = time.GetUtcNow();
        var definition = new CertificateDefinition { Name = "", CommonName = "", CreatedAt = now, UpdatedAt = now };
        checkedFields.Value.ApplyTo(definition);
        db.Definitions.Add(definition);
        DefinitionHistory.Record(db, now, actor, definition.Id, "create", detail(definition));
        await db.SaveChangesAsync(ct);
        return definition;
    }

    private async Task<Result<DefinitionFields>> CheckAsync(DefinitionFields input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (fields, errors) = DefinitionValidation.Check(input);
        if (errors.Count > 0)
        {
            return DefinitionValidation.ToError(errors);
        }

        if (fields.ProductId is { } productId && !await db.Products.AnyAsync(p => p.Id == productId, ct))
        {
            return Error.Invalid("product-not-found", "The chosen product does not exist.", nameof(DefinitionFields.ProductId));
        }

        if (fields.TrustedCaSetId is { } setId && !await db.TrustedCaSets.AnyAsync(s => s.Id == setId, ct))
        {
            return Error.Invalid("trusted-ca-set-not-found", "The chosen trusted CA set does not exist.", nameof(DefinitionFields.TrustedCaSetId));
        }

        return fields;
    }

    private async Task<Result<List<CertificateDefinition>>> SelectAsync(CloneRequest request, CancellationToken ct)
    {
        var ids = request.Ids?.Distinct().ToList() ?? [];
        var tag = string.IsNullOrWhiteSpace(request.Tag) ? null : request.Tag.Trim();
        if (ids.Count == 0 && tag is null)
        {
            return new Error("selection-empty", "Choose the definitions to clone: tick some, or give a tag.");
        }

        if (ids.Count > CloneRequest.MaxItems)
        {
            return new Error("selection-too-large", $"At most {CloneRequest.MaxItems} definitions per clone.");
        }

        var query = db.Definitions.AsNoTracking();
        query = ids.Count > 0 ? query.Where(d => ids.Contains(d.Id)) : query.Where(d => d.Tags.Contains(tag!));
        var found = await query.OrderBy(d => d.Name).Take(CloneRequest.MaxItems + 1).ToListAsync(ct);
        if (found.Count > CloneRequest.MaxItems)
        {
            return new Error("selection-too-large", $"More than {CloneRequest.MaxItems} definitions have the tag '{tag}'.");
        }

        if (ids.Count > 0 && found.Count != ids.Count)
        {
            return Error.NotFound(NotFoundCode, $"{ids.Count - found.Count} of the chosen definitions no longer exist.");
        }

        if (found.Count == 0)
        {
            return new Error("selection-empty", $"No definition has the tag '{tag}'.");
        }

        return found;
    }

    private Task<bool> HasOpenAcquisitionAsync(Guid id, CancellationToken ct) =>
        db.Requests.AnyAsync(r => r.DefinitionId == id && r.Status != RequestStatus.Completed && r.Status != RequestStatus.Cancelled, ct);

    private static Error OpenAcquisition() =>
        Error.Conflict("acquisition-in-progress", "An acquisition is in progress for this definition; finish or cancel it before switching to Monitored-only.");

    /// <summary>A field as people read it in the history: "ServerNameForCheck" → "server name for check".</summary>
    internal static string FieldLabel(string name) =>
        System.Text.RegularExpressions.Regex.Replace(name, "(?<=[a-z0-9])(?=[A-Z])", " ").ToLowerInvariant();

    private static List<string> ChangedFields(DefinitionFields before, DefinitionFields after)
    {
        var a = JsonSerializer.SerializeToElement(before);
        var b = JsonSerializer.SerializeToElement(after);
        var changed = new List<string>();
        foreach (var property in a.EnumerateObject())
        {
            if (!JsonElement.DeepEquals(property.Value, b.GetProperty(property.Name)))
            {
                changed.Add(FieldLabel(property.Name));
            }
        }

        return changed;
    }
}
