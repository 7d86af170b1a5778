using CertMgr.Core.Acme.Client;
using CertMgr.Core.Acquisition;
using CertMgr.Core.Acquisition.Backends;
using CertMgr.Data;
using CertMgr.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace CertMgr.Core.Unattended;

/// <summary>
/// The acquisition stage of an unattended process, through <see cref="AcquisitionService"/>'s own guarded steps: start
/// (New or Renewal), new key and CSR, the definition's product at an automatable CA, poll a pending order when due,
/// complete. Every step reads the process from the database, so a pass picks up wherever the last one (or a person)
/// left it.
/// </summary>
public sealed class UnattendedAcquisition(CertMgrDbContext db, AcquisitionService acquisition, CaBackends backends, UnattendedOptions options, AcmeRenewalWindows windows, TimeProvider time)
{
    private const int MaxSteps = 12;

    /// <summary>
    /// Whether a definition needs a certificate now: none yet, or the current one is due for renewal: from the start of
    /// its CA's ARI window when the CA gave one (<paramref name="suggestedStart"/>), else within the renewal lead time.
    /// </summary>
    public static bool NeedsCertificate(Guid? currentCertificateId, DateTimeOffset? currentNotAfter, int renewalLeadDays, DateTimeOffset now, DateTimeOffset? suggestedStart = null) =>
        AcmeRenewalWindows.IsDue(currentCertificateId is not null, currentNotAfter, renewalLeadDays, suggestedStart, now);

    /// <summary>Drives the definition's open acquisition (or a new one, when due) as far as it goes by itself.</summary>
    public async Task<StageResult> DriveAsync(CertificateDefinition definition, UnattendedState state, UnattendedWork work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(work);
        var request = await OpenRequestAsync(definition.Id, ct);
        if (request is null)
        {
            var suggested = await windows.SuggestedRenewalStartAsync(definition, ct);
            if (!NeedsCertificate(definition.CurrentCertificateId, definition.CurrentNotAfter, definition.RenewalLeadDays, time.GetUtcNow(), suggested))
            {
                return new StageResult(StageStatus.Done, UnattendedSteps.Start, "not due");
            }

            var kind = definition.CurrentCertificateId is null ? RequestKind.New : RequestKind.Renewal;
            var started = await work.StepAsync(UnattendedSteps.Start, () => acquisition.StartAsync(definition.Id, kind, UnattendedEngine.Actor, ct), ct);
            if (!started.IsSuccess)
            {
                return new StageResult(StageStatus.Interrupted, UnattendedSteps.Start, started.Error.Message);
            }

            request = started.Value;
        }

        for (var i = 0; i < MaxSteps; i++)
        {
            var id = request.Id;
            switch (request.Status)
            {
                case RequestStatus.Draft:
                {
                    var keyed = await work.StepAsync(UnattendedSteps.Key, () => acquisition.SetKeyAsync(id, KeyChoice.New, null, UnattendedEngine.Actor, ct), ct);
                    if (!keyed.IsSuccess)
                    {
                        return await InterruptAsync(id, UnattendedSteps.Key, keyed.Error.Message, ct);
                    }

                    request = keyed.Value;
                    break;
                }

                case RequestStatus.KeyAndCsrReady or RequestStatus.ProductChosen:
                {
                    if (WhyNotAutomatable(definition) is { } why)
                    {
                        return await InterruptAsync(id, UnattendedSteps.Product, why, ct);
                    }

                    var productId = definition.ProductId!.Value;
                    var chosen = await work.StepAsync(UnattendedSteps.Submit, () => acquisition.ChooseProductAsync(id, productId, UnattendedEngine.Actor, ct), ct);
                    if (!chosen.IsSuccess)
                    {
                        return await InterruptAsync(id, UnattendedSteps.Submit, $"The CA refused the request: {chosen.Error.Message}", ct);
                    }

                    request = chosen.Value;
                    state.NextPollAt = time.GetUtcNow() + options.PollInterval;
                    break;
                }

                case RequestStatus.Ordered:
                {
                    if (state.NextPollAt is { } due && due > time.GetUtcNow())
                    {
                        return new StageResult(StageStatus.Waiting, UnattendedSteps.Poll, $"order pending at the CA; asked again after {due:yyyy-MM-dd HH:mm} UTC", id);
                    }

                    var polled = await work.StepAsync(UnattendedSteps.Poll, () => acquisition.PollAsync(id, UnattendedEngine.Actor, ct), ct);
                    if (!polled.IsSuccess)
                    {
                        return await InterruptAsync(id, UnattendedSteps.Poll, polled.Error.Message, ct);
                    }

                    request = polled.Value;
                    state.NextPollAt = time.GetUtcNow() + options.PollInterval;
                    if (request.Status == RequestStatus.Ordered)
                    {
                        return new StageResult(StageStatus.Waiting, UnattendedSteps.Poll, "order pending at the CA", id);
                    }

                    if (request.Status == RequestStatus.Interrupted)
                    {
                        return new StageResult(StageStatus.Interrupted, UnattendedSteps.Poll, request.InterruptReason ?? "The CA failed the order.", id);
                    }

                    break;
                }

                case RequestStatus.Received:
                {
                    var completed = await work.StepAsync(UnattendedSteps.Complete, () => acquisition.CompleteAsync(id, UnattendedEngine.Actor, ct), ct);
                    if (!completed.IsSuccess)
                    {
                        return await InterruptAsync(id, UnattendedSteps.Complete, completed.Error.Message, ct);
                    }

                    return new StageResult(StageStatus.Done, UnattendedSteps.Complete, "certificate acquired", id, CertificateId: completed.Value.Certificate?.Id);
                }

                case RequestStatus.Interrupted:
                {
                    // Resume only when the cause looks fixed; an unchanged cause stays one interruption, not one per pass.
                    var reason = request.InterruptReason ?? "The process was interrupted.";
                    if (request.CsrDer is not null && request.Certificate is null && WhyNotAutomatable(definition) is { } stillWhy)
                    {
                        return await InterruptAsync(id, UnattendedSteps.Product, stillWhy, ct);
                    }

                    var resumed = await work.StepAsync(state.InterruptedStep ?? UnattendedSteps.Product, () => acquisition.ResumeAsync(id, UnattendedEngine.Actor, ct), ct);
                    if (!resumed.IsSuccess)
                    {
                        return new StageResult(StageStatus.Interrupted, state.InterruptedStep ?? UnattendedSteps.Product, reason, id);
                    }

                    request = resumed.Value;
                    break;
                }

                default:
                    return new StageResult(StageStatus.Done, UnattendedSteps.Complete, $"acquisition {request.Status}", id);
            }
        }

        return new StageResult(StageStatus.Waiting, UnattendedSteps.Start, "step limit of one pass reached", request.Id);
    }

    /// <summary>Why the definition's certificates cannot be obtained without a person, or null when they can.</summary>
    public string? WhyNotAutomatable(CertificateDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Product is not { } product)
        {
            return "The definition has no product: choose an automatable product (e.g. the built-in private CA) on the definition.";
        }

        if (!product.Enabled)
        {
            return $"The product {product.Provider} {product.Name} is disabled; enable it or choose another.";
        }

        if (ProductRequirements.WhyNot(definition, product) is { } unsuitable)
        {
            return unsuitable;
        }

        var backend = backends.For(product);
        if (!backend.IsSuccess)
        {
            return backend.Error.Message;
        }

        return backend.Value.CanAutomate
            ? null
            : $"The product {product.Provider} {product.Name} is ordered by hand; unattended renewal needs an automatable CA (the built-in private CA, ACME, AD CS). Choose one, or continue the acquisition interactively.";
    }

    private async Task<StageResult> InterruptAsync(Guid requestId, string step, string reason, CancellationToken ct)
    {
        var current = await db.Requests.AsNoTracking().Where(r => r.Id == requestId).Select(r => new { r.Status, r.InterruptReason }).SingleAsync(ct);
        if (current.Status != RequestStatus.Interrupted || current.InterruptReason != reason)
        {
            var interrupted = await acquisition.InterruptAsync(requestId, reason, UnattendedEngine.Actor, ct);
            if (!interrupted.IsSuccess)
            {
                return new StageResult(StageStatus.Interrupted, step, interrupted.Error.Message, requestId);
            }
        }

        return new StageResult(StageStatus.Interrupted, step, reason, requestId);
    }

    private Task<CertificateRequest?> OpenRequestAsync(Guid definitionId, CancellationToken ct) =>
        db.Requests
            .Include(r => r.Certificate)
            .Where(r => r.DefinitionId == definitionId && AcquisitionFlow.OpenStatuses.Contains(r.Status))
            .OrderByDescending(r => r.CreatedAt).FirstOrDefaultAsync(ct);
}
